package dev.luthier.engine.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** SwiGLU: {@code silu(gate) * up} with {@code silu(g) = g / (1 + exp(-g))}, as torch computes it. */
final class Activations {
    private static final int L = VectorOps.L;

    private Activations() {
    }

    private static void check(String op, CpuTensor... ts) {
        for (CpuTensor t : ts) {
            if (t.rows != ts[0].rows || t.cols != ts[0].cols) {
                StringBuilder sb = new StringBuilder(op + ": shapes differ:");
                for (CpuTensor u : ts) {
                    sb.append(' ').append(u.shapeString());
                }
                throw new IllegalArgumentException(sb.toString());
            }
        }
    }

    static void swiglu(WorkerPool pool, CpuTensor gate, CpuTensor up, CpuTensor out) {
        check("swiglu", gate, up, out);
        ParallelRows.forRange(pool, gate.rows, 20L * gate.cols, (r0, r1) -> {
            float[] g = gate.data, u = up.data, o = out.data;
            int gi = gate.at(r0, 0), ui = up.at(r0, 0), oi = out.at(r0, 0);
            int len = (r1 - r0) * gate.cols;
            FloatVector one = FloatVector.broadcast(VectorOps.S, 1f);
            int i = 0;
            for (; i <= len - L; i += L) {
                FloatVector gv = FloatVector.fromArray(VectorOps.S, g, gi + i);
                FloatVector silu = gv.div(one.add(VectorOps.exp(gv.neg())));
                silu.mul(FloatVector.fromArray(VectorOps.S, u, ui + i)).intoArray(o, oi + i);
            }
            for (; i < len; i++) {
                float gv = g[gi + i];
                o[oi + i] = gv / (1f + (float) Math.exp(-gv)) * u[ui + i];
            }
        });
    }

    /** With s = sigmoid(g): d silu/dg = s * (1 + g * (1 - s)). */
    static void swigluBackward(WorkerPool pool, CpuTensor dOut, CpuTensor gate, CpuTensor up, CpuTensor dGate, CpuTensor dUp) {
        check("swigluBackward", dOut, gate, up, dGate, dUp);
        ParallelRows.forRange(pool, gate.rows, 25L * gate.cols, (r0, r1) -> {
            float[] g = gate.data, u = up.data, d = dOut.data, dg = dGate.data, du = dUp.data;
            int gi = gate.at(r0, 0), ui = up.at(r0, 0), di = dOut.at(r0, 0), dgi = dGate.at(r0, 0), dui = dUp.at(r0, 0);
            int len = (r1 - r0) * gate.cols;
            FloatVector one = FloatVector.broadcast(VectorOps.S, 1f);
            int i = 0;
            for (; i <= len - L; i += L) {
                FloatVector gv = FloatVector.fromArray(VectorOps.S, g, gi + i);
                FloatVector dv = FloatVector.fromArray(VectorOps.S, d, di + i);
                FloatVector uv = FloatVector.fromArray(VectorOps.S, u, ui + i);
                FloatVector sig = one.div(one.add(VectorOps.exp(gv.neg())));
                FloatVector silu = gv.mul(sig);
                FloatVector dsilu = sig.mul(one.add(gv.mul(one.sub(sig))));
                dv.mul(uv).mul(dsilu).add(FloatVector.fromArray(VectorOps.S, dg, dgi + i)).intoArray(dg, dgi + i);
                dv.mul(silu).add(FloatVector.fromArray(VectorOps.S, du, dui + i)).intoArray(du, dui + i);
            }
            for (; i < len; i++) {
                float gv = g[gi + i], dv = d[di + i];
                float sig = 1f / (1f + (float) Math.exp(-gv));
                float silu = gv * sig;
                dg[dgi + i] += dv * u[ui + i] * (sig * (1f + gv * (1f - sig)));
                du[dui + i] += dv * silu;
            }
        });
    }
}
