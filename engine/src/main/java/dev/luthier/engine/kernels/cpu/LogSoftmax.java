package dev.luthier.engine.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Row log-sum-exp, gathering token logits, and the gradient of token log-probabilities with respect to the logits. */
final class LogSoftmax {
    private static final int L = VectorOps.L;

    private LogSoftmax() {
    }

    static void logSumExpRows(WorkerPool pool, CpuTensor logits, CpuTensor lse) {
        if (lse.rows != logits.rows || lse.cols != 1) {
            throw new IllegalArgumentException("logSumExpRows: logits " + logits.shapeString() + ", lse " + lse.shapeString()
                    + " (expected [" + logits.rows + ", 1])");
        }
        int v = logits.cols;
        ParallelRows.forRange(pool, logits.rows, 10L * v, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int off = logits.at(r, 0);
                float max = VectorOps.max(logits.data, off, v);
                float sum = VectorOps.sumExp(logits.data, off, v, max);
                lse.data[lse.at(r, 0)] = max + (float) Math.log(sum);
            }
        });
    }

    static void gatherColumns(CpuTensor logits, int[] cols, int perRow, float[] out) {
        checkColumns("gatherColumns", logits, cols, perRow);
        if (out.length < cols.length) {
            throw new IllegalArgumentException("gatherColumns: output of " + out.length + " for " + cols.length + " values");
        }
        for (int i = 0; i < cols.length; i++) {
            out[i] = logits.data[logits.at(i / perRow, cols[i])];
        }
    }

    private static void checkColumns(String op, CpuTensor logits, int[] cols, int perRow) {
        if (perRow <= 0 || cols.length != logits.rows * perRow) {
            throw new IllegalArgumentException(op + ": logits " + logits.shapeString() + " with " + perRow
                    + " columns per row needs " + (long) logits.rows * perRow + " column indices, got " + cols.length);
        }
        for (int c : cols) {
            if (c < 0 || c >= logits.cols) {
                throw new IllegalArgumentException(op + ": column " + c + " outside logits " + logits.shapeString());
            }
        }
    }

    static void logprobBackward(WorkerPool pool, CpuTensor logits, CpuTensor lse, int[] cols, float[] dLogprob, int perRow) {
        checkColumns("logprobBackward", logits, cols, perRow);
        if (lse.rows != logits.rows || lse.cols != 1 || dLogprob.length != cols.length) {
            throw new IllegalArgumentException("logprobBackward: logits " + logits.shapeString() + ", lse " + lse.shapeString()
                    + ", " + dLogprob.length + " gradients for " + cols.length + " columns");
        }
        int v = logits.cols;
        ParallelRows.forRange(pool, logits.rows, 10L * v, (r0, r1) -> {
            float[] x = logits.data;
            for (int r = r0; r < r1; r++) {
                int off = logits.at(r, 0);
                float total = 0f;
                for (int j = 0; j < perRow; j++) {
                    total += dLogprob[r * perRow + j];
                }
                float rowLse = lse.data[lse.at(r, 0)];
                FloatVector shift = FloatVector.broadcast(VectorOps.S, rowLse);
                FloatVector neg = FloatVector.broadcast(VectorOps.S, -total);
                int c = 0;
                for (; c <= v - L; c += L) {
                    VectorOps.exp(FloatVector.fromArray(VectorOps.S, x, off + c).sub(shift)).mul(neg)
                            .intoArray(x, off + c);
                }
                for (; c < v; c++) {
                    x[off + c] = -total * (float) Math.exp(x[off + c] - rowLse);
                }
                for (int j = 0; j < perRow; j++) {
                    x[off + cols[r * perRow + j]] += dLogprob[r * perRow + j];
                }
            }
        });
    }
}
