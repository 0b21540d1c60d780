package dev.luthier.engine.kernels.cpu;

/** Mixture-of-experts helpers: row gather and scatter-add, per-row dot products, the router's top-k and its backward. */
final class Moe {
    private Moe() {
    }

    static void gatherRows(WorkerPool pool, CpuTensor src, int[] rows, float[] scale, CpuTensor dst) {
        int d = src.cols;
        if (dst.rows != rows.length || dst.cols != d || (scale != null && scale.length < rows.length)) {
            throw new IllegalArgumentException("gatherRows: src " + src.shapeString() + ", " + rows.length + " rows, dst "
                    + dst.shapeString());
        }
        for (int r : rows) {
            if (r < 0 || r >= src.rows) {
                throw new IllegalArgumentException("gatherRows: row " + r + " outside src " + src.shapeString());
            }
        }
        ParallelRows.forRange(pool, rows.length, d, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int from = src.at(rows[i], 0), to = dst.at(i, 0);
                if (scale == null) {
                    System.arraycopy(src.data, from, dst.data, to, d);
                } else {
                    float s = scale[i];
                    for (int j = 0; j < d; j++) {
                        dst.data[to + j] = s * src.data[from + j];
                    }
                }
            }
        });
    }

    static void scatterAddRows(CpuTensor src, int[] rows, float[] scale, CpuTensor dst) {
        int d = dst.cols;
        if (src.rows != rows.length || src.cols != d || (scale != null && scale.length < rows.length)) {
            throw new IllegalArgumentException("scatterAddRows: src " + src.shapeString() + ", " + rows.length
                    + " rows, dst " + dst.shapeString());
        }
        // Sequential in i: rows may repeat, and the order of the additions is part of the contract.
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= dst.rows) {
                throw new IllegalArgumentException("scatterAddRows: row " + rows[i] + " outside dst " + dst.shapeString());
            }
            float s = scale == null ? 1f : scale[i];
            int from = src.at(i, 0), to = dst.at(rows[i], 0);
            for (int j = 0; j < d; j++) {
                dst.data[to + j] += s * src.data[from + j];
            }
        }
    }

    static void rowDots(CpuTensor a, CpuTensor b, float[] out) {
        if (a.rows != b.rows || a.cols != b.cols || out.length < a.rows) {
            throw new IllegalArgumentException("rowDots: " + a.shapeString() + " and " + b.shapeString() + " into "
                    + out.length + " values");
        }
        for (int i = 0; i < a.rows; i++) {
            out[i] = VectorOps.dot(a.data, a.at(i, 0), b.data, b.at(i, 0), a.cols);
        }
    }

    /** Softmax of one row in F32 (max-subtracted exponentials times the reciprocal of their sum). */
    private static void softmax(CpuTensor logits, int r, float[] p) {
        int e = logits.cols, off = logits.at(r, 0);
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < e; j++) {
            max = Math.max(max, logits.data[off + j]);
        }
        float sum = 0;
        for (int j = 0; j < e; j++) {
            p[j] = (float) Math.exp(logits.data[off + j] - max);
            sum += p[j];
        }
        float inv = 1f / sum;
        for (int j = 0; j < e; j++) {
            p[j] *= inv;
        }
    }

    /** The k largest of p, descending; a tie goes to the lower index. */
    private static void topK(float[] p, int k, int[] chosen) {
        for (int j = 0; j < k; j++) {
            int best = -1;
            for (int x = 0; x < p.length; x++) {
                boolean taken = false;
                for (int i = 0; i < j; i++) {
                    taken |= chosen[i] == x;
                }
                if (!taken && (best < 0 || p[x] > p[best])) {
                    best = x;
                }
            }
            chosen[j] = best;
        }
    }

    private static void check(String op, CpuTensor logits, int k, int[] experts, float[] weights) {
        if (k < 1 || k > logits.cols || experts.length != logits.rows * k || weights.length != logits.rows * k) {
            throw new IllegalArgumentException(op + ": logits " + logits.shapeString() + ", top-" + k + ", "
                    + experts.length + " experts and " + weights.length + " weights");
        }
    }

    static void routerTopK(CpuTensor logits, int k, boolean normalize, int[] experts, float[] weights) {
        check("routerTopK", logits, k, experts, weights);
        float[] p = new float[logits.cols];
        int[] chosen = new int[k];
        for (int r = 0; r < logits.rows; r++) {
            softmax(logits, r, p);
            topK(p, k, chosen);
            float sum = 0;
            for (int j = 0; j < k; j++) {
                sum += p[chosen[j]];
            }
            for (int j = 0; j < k; j++) {
                experts[r * k + j] = chosen[j];
                weights[r * k + j] = normalize ? p[chosen[j]] / sum : p[chosen[j]];
            }
        }
    }

    static void routerBackward(CpuTensor logits, int k, boolean normalize, int[] experts, float[] dWeights,
                               CpuTensor dLogits) {
        check("routerBackward", logits, k, experts, dWeights);
        if (dLogits.rows != logits.rows || dLogits.cols != logits.cols) {
            throw new IllegalArgumentException("routerBackward: logits " + logits.shapeString() + ", dLogits "
                    + dLogits.shapeString());
        }
        int e = logits.cols;
        float[] p = new float[e];
        double[] dp = new double[e];
        for (int r = 0; r < logits.rows; r++) {
            softmax(logits, r, p);
            java.util.Arrays.fill(dp, 0);
            if (normalize) {
                // w_i = p_i / s, s = Σ_chosen p_j: dp_j = (dw_j - Σ_i dw_i w_i) / s
                double s = 0, dot = 0;
                for (int j = 0; j < k; j++) {
                    s += p[experts[r * k + j]];
                }
                for (int j = 0; j < k; j++) {
                    dot += dWeights[r * k + j] * (p[experts[r * k + j]] / s);
                }
                for (int j = 0; j < k; j++) {
                    dp[experts[r * k + j]] += (dWeights[r * k + j] - dot) / s;
                }
            } else {
                for (int j = 0; j < k; j++) {
                    dp[experts[r * k + j]] += dWeights[r * k + j];
                }
            }
            double pdp = 0;
            for (int j = 0; j < e; j++) {
                pdp += p[j] * dp[j];
            }
            int off = dLogits.at(r, 0);
            for (int j = 0; j < e; j++) {
                dLogits.data[off + j] += (float) (p[j] * (dp[j] - pdp));
            }
        }
    }
}
