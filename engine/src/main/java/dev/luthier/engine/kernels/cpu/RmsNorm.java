package dev.luthier.engine.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** RMSNorm over each row, in float32 as Hugging Face computes it: {@code (x * rstd) * w}. */
final class RmsNorm {
    private static final int L = VectorOps.L;

    private RmsNorm() {
    }

    static void forward(WorkerPool pool, CpuTensor x, CpuTensor w, float eps, CpuTensor out, CpuTensor rstd) {
        int d = x.cols;
        if (w.rows != 1 || w.cols != d || out.rows != x.rows || out.cols != d
                || (rstd != null && (rstd.rows != x.rows || rstd.cols != 1))) {
            throw new IllegalArgumentException("rmsNorm: x " + x.shapeString() + ", weight " + w.shapeString() + ", out "
                    + out.shapeString() + (rstd == null ? "" : ", rstd " + rstd.shapeString()));
        }
        ParallelRows.forRange(pool, x.rows, 3L * d, (r0, r1) -> {
            float[] xd = x.data, wd = w.data, od = out.data;
            int wOff = w.offset;
            for (int r = r0; r < r1; r++) {
                int xi = x.at(r, 0), oi = out.at(r, 0);
                float rs = rstd(xd, xi, d, eps);
                if (rstd != null) {
                    rstd.data[rstd.at(r, 0)] = rs;
                }
                FloatVector rv = FloatVector.broadcast(VectorOps.S, rs);
                int c = 0;
                for (; c <= d - L; c += L) {
                    FloatVector.fromArray(VectorOps.S, xd, xi + c).mul(rv)
                            .mul(FloatVector.fromArray(VectorOps.S, wd, wOff + c)).intoArray(od, oi + c);
                }
                for (; c < d; c++) {
                    od[oi + c] = (xd[xi + c] * rs) * wd[wOff + c];
                }
            }
        });
    }

    static float rstd(float[] x, int off, int d, float eps) {
        float mean = (float) (VectorOps.sumOfSquares(x, off, d) / d);
        return (float) (1.0 / Math.sqrt(mean + eps));
    }

    /**
     * With n = x*rstd and y = n*w: dx = rstd*(g - n*mean(g*n)) where g = dy*w, and dw += sum over rows of dy*n.
     */
    static void backward(WorkerPool pool, CpuTensor dOut, CpuTensor x, CpuTensor w, CpuTensor rstd, CpuTensor dx,
                         CpuTensor dWeight) {
        int d = x.cols;
        int rows = x.rows;
        if (dOut.rows != rows || dOut.cols != d || w.rows != 1 || w.cols != d || rstd.rows != rows || rstd.cols != 1
                || dx.rows != rows || dx.cols != d || (dWeight != null && (dWeight.rows != 1 || dWeight.cols != d))) {
            throw new IllegalArgumentException("rmsNormBackward: dOut " + dOut.shapeString() + ", x " + x.shapeString()
                    + ", weight " + w.shapeString() + ", rstd " + rstd.shapeString() + ", dx " + dx.shapeString()
                    + (dWeight == null ? "" : ", dWeight " + dWeight.shapeString()));
        }
        ParallelRows.forRange(pool, rows, 5L * d, (r0, r1) -> {
            float[] xd = x.data, gd = dOut.data, wd = w.data, dxd = dx.data;
            for (int r = r0; r < r1; r++) {
                int xi = x.at(r, 0), gi = dOut.at(r, 0), di = dx.at(r, 0);
                float rs = rstd.data[rstd.at(r, 0)];
                int wOff = w.offset;
                FloatVector acc = FloatVector.zero(VectorOps.S);
                int c = 0;
                for (; c <= d - L; c += L) {
                    FloatVector g = FloatVector.fromArray(VectorOps.S, gd, gi + c).mul(FloatVector.fromArray(VectorOps.S, wd, wOff + c));
                    acc = g.fma(FloatVector.fromArray(VectorOps.S, xd, xi + c), acc);
                }
                double dot = VectorOps.sum(acc);
                for (; c < d; c++) {
                    dot += (double) gd[gi + c] * wd[wOff + c] * xd[xi + c];
                }
                float coef = (float) (dot * rs * rs * rs / d);
                FloatVector rsV = FloatVector.broadcast(VectorOps.S, rs), coefV = FloatVector.broadcast(VectorOps.S, coef);
                for (c = 0; c <= d - L; c += L) {
                    FloatVector g = FloatVector.fromArray(VectorOps.S, gd, gi + c).mul(FloatVector.fromArray(VectorOps.S, wd, wOff + c));
                    FloatVector xv = FloatVector.fromArray(VectorOps.S, xd, xi + c);
                    FloatVector.fromArray(VectorOps.S, dxd, di + c).add(g.mul(rsV).sub(xv.mul(coefV))).intoArray(dxd, di + c);
                }
                for (; c < d; c++) {
                    dxd[di + c] += rs * (gd[gi + c] * wd[wOff + c]) - coef * xd[xi + c];
                }
            }
        });
        if (dWeight != null) {
            int[] chunks = Matmul.split(d, Math.max(1, Math.min(pool.threads(), (int) ((long) rows * d / ParallelRows.PARALLEL_WORK))), L);
            pool.forEach(chunks.length - 1, t -> {
                int c0 = chunks[t], c1 = chunks[t + 1];
                float[] acc = new float[c1 - c0];
                for (int r = 0; r < rows; r++) {
                    int xi = x.at(r, 0), gi = dOut.at(r, 0);
                    float rs = rstd.data[rstd.at(r, 0)];
                    for (int c = c0; c < c1; c++) {
                        acc[c - c0] += dOut.data[gi + c] * (x.data[xi + c] * rs);
                    }
                }
                int wi = dWeight.at(0, c0);
                for (int c = 0; c < c1 - c0; c++) {
                    dWeight.data[wi + c] += acc[c];
                }
            });
        }
    }
}
