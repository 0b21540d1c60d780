package dev.luthier.engine.kernels.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * One step of torch.optim.AdamW (single-tensor path): scalars computed in double as Python does, then applied in
 * float; the first moment uses torch's {@code lerp} form {@code m += (1-b1)(g-m)}.
 */
final class AdamW {
    private static final int L = VectorOps.L;

    private AdamW() {
    }

    static void step(WorkerPool pool, CpuTensor p, CpuTensor g, CpuTensor m, CpuTensor v, float lr, float beta1,
                     float beta2, float eps, float weightDecay, int step) {
        for (CpuTensor t : new CpuTensor[]{g, m, v}) {
            if (t.rows != p.rows || t.cols != p.cols) {
                throw new IllegalArgumentException("adamw: param " + p.shapeString() + ", grad " + g.shapeString() + ", m "
                        + m.shapeString() + ", v " + v.shapeString());
            }
        }
        if (step < 1) {
            throw new IllegalArgumentException("adamw: step must be >= 1, got " + step);
        }
        float decay = (float) (1.0 - (double) lr * weightDecay);
        float oneMinusB1 = (float) (1.0 - beta1);
        float oneMinusB2 = (float) (1.0 - beta2);
        double bc1 = 1.0 - Math.pow(beta1, step);
        double bc2 = 1.0 - Math.pow(beta2, step);
        float negStepSize = (float) -(lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        int n = p.length();
        ParallelRows.forRange(pool, n, 12, (i0, i1) -> {
            float[] pd = p.data, gd = g.data, md = m.data, vd = v.data;
            int po = p.offset, go = g.offset, mo = m.offset, vo = v.offset;
            int i = i0;
            for (; i <= i1 - L; i += L) {
                FloatVector gv = FloatVector.fromArray(VectorOps.S, gd, go + i);
                FloatVector mv = FloatVector.fromArray(VectorOps.S, md, mo + i);
                mv = mv.add(gv.sub(mv).mul(oneMinusB1));
                FloatVector vv = FloatVector.fromArray(VectorOps.S, vd, vo + i).mul(beta2).add(gv.mul(gv).mul(oneMinusB2));
                FloatVector denom = vv.sqrt().div(bc2Sqrt).add(eps);
                FloatVector pv = FloatVector.fromArray(VectorOps.S, pd, po + i).mul(decay);
                pv = pv.add(mv.div(denom).mul(negStepSize));
                mv.intoArray(md, mo + i);
                vv.intoArray(vd, vo + i);
                pv.intoArray(pd, po + i);
            }
            for (; i < i1; i++) {
                float gi = gd[go + i];
                float mi = md[mo + i];
                mi = mi + (gi - mi) * oneMinusB1;
                float vi = vd[vo + i] * beta2 + gi * gi * oneMinusB2;
                float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
                md[mo + i] = mi;
                vd[vo + i] = vi;
                pd[po + i] = pd[po + i] * decay + (mi / denom) * negStepSize;
            }
        });
    }
}
