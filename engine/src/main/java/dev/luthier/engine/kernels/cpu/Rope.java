package dev.luthier.engine.kernels.cpu;

import jdk.incubator.vector.FloatVector;

/** Rotary position embedding in the rotate-half layout (the first half of each head pairs with the second). */
final class Rope {
    private static final int L = VectorOps.L;

    private Rope() {
    }

    static void apply(WorkerPool pool, CpuTensor x, int heads, int headDim, int[] positions, CpuTensor cos,
                      CpuTensor sin, boolean inverse) {
        int half = headDim / 2;
        if (headDim % 2 != 0 || x.cols != heads * headDim || positions.length != x.rows
                || cos.cols != half || sin.cols != half || sin.rows != cos.rows) {
            throw new IllegalArgumentException("rope: x " + x.shapeString() + " with " + heads + " heads of " + headDim
                    + ", " + positions.length + " positions, cos " + cos.shapeString() + ", sin " + sin.shapeString());
        }
        for (int p : positions) {
            if (p < 0 || p >= cos.rows) {
                throw new IllegalArgumentException("rope: position " + p + " outside the tables " + cos.shapeString());
            }
        }
        float sign = inverse ? -1f : 1f;
        ParallelRows.forRange(pool, x.rows, 3L * x.cols, (r0, r1) -> {
            float[] xd = x.data, cd = cos.data, sd = sin.data;
            for (int t = r0; t < r1; t++) {
                int ci = cos.at(positions[t], 0), si = sin.at(positions[t], 0);
                for (int h = 0; h < heads; h++) {
                    int base = x.at(t, h * headDim);
                    int j = 0;
                    for (; j <= half - L; j += L) {
                        FloatVector a = FloatVector.fromArray(VectorOps.S, xd, base + j);
                        FloatVector b = FloatVector.fromArray(VectorOps.S, xd, base + half + j);
                        FloatVector c = FloatVector.fromArray(VectorOps.S, cd, ci + j);
                        FloatVector s = FloatVector.fromArray(VectorOps.S, sd, si + j).mul(sign);
                        a.mul(c).sub(b.mul(s)).intoArray(xd, base + j);
                        b.mul(c).add(a.mul(s)).intoArray(xd, base + half + j);
                    }
                    for (; j < half; j++) {
                        float a = xd[base + j], b = xd[base + half + j];
                        float c = cd[ci + j], s = sign * sd[si + j];
                        xd[base + j] = a * c - b * s;
                        xd[base + half + j] = b * c + a * s;
                    }
                }
            }
        });
    }
}
