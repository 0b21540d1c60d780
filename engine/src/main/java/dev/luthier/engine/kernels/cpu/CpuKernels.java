package dev.luthier.engine.kernels.cpu;

import dev.luthier.engine.kernels.AttentionSpans;
import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.tensor.DType;
import dev.luthier.engine.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** The pure-Java backend: F32 heap tensors, mapped low-precision weights, Vector API kernels and a spinning worker pool. */
public final class CpuKernels implements Kernels {
    /** Weights with fewer elements than this (and all single-row weights) are copied to F32 on load. */
    static final int COPY_WEIGHT_BELOW = 1 << 16;

    private final WorkerPool pool;

    public CpuKernels() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public CpuKernels(int threads) {
        this.pool = new WorkerPool(threads);
    }

    public int threads() {
        return pool.threads();
    }

    @Override
    public String name() {
        return "cpu (" + pool.threads() + " threads)";
    }

    @Override
    public void close() {
        pool.close();
    }

    static CpuTensor f32(Tensor t, String what) {
        if (t instanceof CpuTensor c) {
            return c;
        }
        throw new IllegalArgumentException(what + ": expected an F32 CPU tensor, got "
                + (t == null ? "null" : t.getClass().getSimpleName() + t.shapeString() + " " + t.dtype()));
    }

    /** A weight operand: an F32 heap tensor or a mapped weight of any dtype. */
    static Tensor weightOperand(Tensor t, String what) {
        if (t instanceof CpuTensor || t instanceof MappedTensor) {
            return t;
        }
        throw new IllegalArgumentException(what + ": expected a CPU tensor, got "
                + (t == null ? "null" : t.getClass().getSimpleName() + t.shapeString()));
    }

    private static CpuTensor f32OrNull(Tensor t, String what) {
        return t == null ? null : f32(t, what);
    }

    private static void sameShape(String op, Tensor a, Tensor b) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw new IllegalArgumentException(op + ": shapes " + a.shapeString() + " and " + b.shapeString() + " differ");
        }
    }

    // ---------------------------------------------------------------- memory

    @Override
    public Tensor allocate(int rows, int cols) {
        return new CpuTensor(rows, cols);
    }

    @Override
    public Tensor fromHost(float[] data, int rows, int cols) {
        if ((long) rows * cols != data.length) {
            throw new IllegalArgumentException("fromHost: " + data.length + " values for [" + rows + ", " + cols + "]");
        }
        return new CpuTensor(data.clone(), 0, rows, cols);
    }

    @Override
    public float[] toHost(Tensor t) {
        weightOperand(t, "toHost");
        if (t instanceof CpuTensor c) {
            return Arrays.copyOfRange(c.data, c.offset, c.offset + c.length());
        }
        MappedTensor m = (MappedTensor) t;
        float[] out = new float[Math.toIntExact(m.size())];
        m.widen(0, out.length, out, 0);
        return out;
    }

    @Override
    public Tensor weight(MemorySegment bytes, DType dtype, int rows, int cols) {
        MappedTensor mapped = new MappedTensor(bytes, dtype, rows, cols);
        if (rows == 1 || (long) rows * cols < COPY_WEIGHT_BELOW) {
            CpuTensor copy = new CpuTensor(rows, cols);
            mapped.widen(0, copy.length(), copy.data, 0);
            return copy;
        }
        return mapped;
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        sameShape("copy", src, dst);
        weightOperand(src, "copy src");
        CpuTensor d = f32(dst, "copy dst");
        if (src instanceof CpuTensor s) {
            System.arraycopy(s.data, s.offset, d.data, d.offset, s.length());
        } else {
            ((MappedTensor) src).widen(0, d.length(), d.data, d.offset);
        }
    }

    @Override
    public void fill(Tensor t, float value) {
        CpuTensor c = f32(t, "fill");
        Arrays.fill(c.data, c.offset, c.offset + c.length(), value);
    }

    // ---------------------------------------------------------------- matrix products

    @Override
    public void matmulNT(Tensor x, Tensor w, Tensor y, float alpha, boolean accumulate) {
        CpuTensor xt = f32(x, "matmulNT x"), yt = f32(y, "matmulNT y");
        weightOperand(w, "matmulNT w");
        int m = x.rows(), k = x.cols(), n = w.rows();
        if (w.cols() != k || y.rows() != m || y.cols() != n) {
            throw new IllegalArgumentException("matmulNT: x " + x.shapeString() + " * w" + w.shapeString() + "ᵀ -> y "
                    + y.shapeString());
        }
        if (m <= Matmul.STREAM_ROWS && k > 0) {
            if (w instanceof CpuTensor wt) {
                Matmul.streamNT(pool, m, n, k, xt.data, xt.offset, wt.data, wt.offset, null, alpha, accumulate, yt.data, yt.offset);
            } else {
                Matmul.streamNT(pool, m, n, k, xt.data, xt.offset, null, 0, (MappedTensor) w, alpha, accumulate, yt.data, yt.offset);
            }
            return;
        }
        Matmul.PanelsB b = w instanceof CpuTensor wt ? new Matmul.TransposedB(wt.data, wt.offset, k)
                : new Matmul.MappedTransposedB((MappedTensor) w);
        Matmul.gemm(pool, m, n, k, new Matmul.RowMajorA(xt.data, xt.offset, k), b, alpha, accumulate, yt.data, yt.offset, n);
    }

    @Override
    public void matmulNN(Tensor a, Tensor w, Tensor y, float alpha, boolean accumulate) {
        CpuTensor at = f32(a, "matmulNN a"), yt = f32(y, "matmulNN y");
        weightOperand(w, "matmulNN w");
        int m = a.rows(), n = a.cols(), k = w.cols();
        if (w.rows() != n || y.rows() != m || y.cols() != k) {
            throw new IllegalArgumentException("matmulNN: a " + a.shapeString() + " * w" + w.shapeString() + " -> y "
                    + y.shapeString());
        }
        if (m <= Matmul.STREAM_ROWS && n > 0) {
            if (w instanceof CpuTensor wt) {
                Matmul.streamNN(pool, m, n, k, at.data, at.offset, wt.data, wt.offset, null, alpha, accumulate, yt.data, yt.offset);
            } else {
                Matmul.streamNN(pool, m, n, k, at.data, at.offset, null, 0, (MappedTensor) w, alpha, accumulate, yt.data, yt.offset);
            }
            return;
        }
        Matmul.PanelsB b = w instanceof CpuTensor wt ? new Matmul.RowMajorB(wt.data, wt.offset, k)
                : new Matmul.MappedRowMajorB((MappedTensor) w);
        Matmul.gemm(pool, m, k, n, new Matmul.RowMajorA(at.data, at.offset, n), b, alpha, accumulate, yt.data, yt.offset, k);
    }

    @Override
    public void matmulTN(Tensor a, Tensor b, Tensor y, float alpha, boolean accumulate) {
        CpuTensor at = f32(a, "matmulTN a"), bt = f32(b, "matmulTN b"), yt = f32(y, "matmulTN y");
        int m = a.rows(), n = a.cols(), k = b.cols();
        if (b.rows() != m || y.rows() != n || y.cols() != k) {
            throw new IllegalArgumentException("matmulTN: a" + a.shapeString() + "ᵀ * b " + b.shapeString() + " -> y "
                    + y.shapeString());
        }
        Matmul.gemm(pool, n, k, m, new Matmul.TransposedA(at.data, at.offset, n), new Matmul.RowMajorB(bt.data, bt.offset, k),
                alpha, accumulate, yt.data, yt.offset, k);
    }

    // ---------------------------------------------------------------- elementwise and reductions

    @Override
    public void addScaled(Tensor x, float alpha, Tensor y) {
        sameShape("addScaled", x, y);
        CpuTensor xt = f32(x, "addScaled x"), yt = f32(y, "addScaled y");
        ParallelRows.forRange(pool, xt.length(), 2, (i0, i1) ->
                VectorOps.axpy(alpha, xt.data, xt.offset + i0, yt.data, yt.offset + i0, i1 - i0));
    }

    @Override
    public void scale(Tensor t, float alpha) {
        CpuTensor c = f32(t, "scale");
        ParallelRows.forRange(pool, c.length(), 1, (i0, i1) -> {
            int i = c.offset + i0, end = c.offset + i1;
            for (; i <= end - VectorOps.L; i += VectorOps.L) {
                jdk.incubator.vector.FloatVector.fromArray(VectorOps.S, c.data, i).mul(alpha).intoArray(c.data, i);
            }
            for (; i < end; i++) {
                c.data[i] *= alpha;
            }
        });
    }

    @Override
    public void addRowVector(Tensor bias, Tensor y) {
        CpuTensor bt = f32(bias, "addRowVector bias"), yt = f32(y, "addRowVector y");
        if (bias.rows() != 1 || bias.cols() != y.cols()) {
            throw new IllegalArgumentException("addRowVector: bias " + bias.shapeString() + " for y " + y.shapeString());
        }
        ParallelRows.forRange(pool, yt.rows, yt.cols, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                VectorOps.axpy(1f, bt.data, bt.offset, yt.data, yt.at(r, 0), yt.cols);
            }
        });
    }

    @Override
    public void sumRows(Tensor dy, Tensor dBias) {
        CpuTensor d = f32(dy, "sumRows dy"), b = f32(dBias, "sumRows dBias");
        if (dBias.rows() != 1 || dBias.cols() != dy.cols()) {
            throw new IllegalArgumentException("sumRows: dy " + dy.shapeString() + " into dBias " + dBias.shapeString());
        }
        for (int r = 0; r < d.rows; r++) {
            VectorOps.axpy(1f, d.data, d.at(r, 0), b.data, b.offset, d.cols);
        }
    }

    @Override
    public double sumOfSquares(Tensor t) {
        CpuTensor c = f32(t, "sumOfSquares");
        return VectorOps.sumOfSquares(c.data, c.offset, c.length());
    }

    @Override
    public boolean allFinite(Tensor t) {
        CpuTensor c = f32(t, "allFinite");
        for (int i = c.offset, end = c.offset + c.length(); i < end; i++) {
            if (!Float.isFinite(c.data[i])) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- embedding

    @Override
    public void embeddingLookup(Tensor table, int[] ids, Tensor out) {
        CpuTensor o = f32(out, "embeddingLookup out");
        weightOperand(table, "embeddingLookup table");
        int d = table.cols();
        if (out.rows() != ids.length || out.cols() != d) {
            throw new IllegalArgumentException("embeddingLookup: table " + table.shapeString() + ", " + ids.length
                    + " ids, out " + out.shapeString());
        }
        for (int id : ids) {
            if (id < 0 || id >= table.rows()) {
                throw new IllegalArgumentException("embeddingLookup: id " + id + " outside table " + table.shapeString());
            }
        }
        for (int i = 0; i < ids.length; i++) {
            if (table instanceof CpuTensor t) {
                System.arraycopy(t.data, t.at(ids[i], 0), o.data, o.at(i, 0), d);
            } else {
                ((MappedTensor) table).widenRow(ids[i], 0, d, o.data, o.at(i, 0));
            }
        }
    }

    @Override
    public void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable) {
        CpuTensor g = f32(dOut, "embeddingBackward dOut"), t = f32(dTable, "embeddingBackward dTable");
        if (dOut.rows() != ids.length || dOut.cols() != dTable.cols()) {
            throw new IllegalArgumentException("embeddingBackward: dOut " + dOut.shapeString() + ", " + ids.length
                    + " ids, dTable " + dTable.shapeString());
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= t.rows) {
                throw new IllegalArgumentException("embeddingBackward: id " + ids[i] + " outside " + dTable.shapeString());
            }
            VectorOps.axpy(1f, g.data, g.at(i, 0), t.data, t.at(ids[i], 0), t.cols);
        }
    }

    // ---------------------------------------------------------------- RMSNorm, RoPE

    @Override
    public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor out, Tensor rstd) {
        RmsNorm.forward(pool, f32(x, "rmsNorm x"), f32(weight, "rmsNorm weight"), eps, f32(out, "rmsNorm out"),
                f32OrNull(rstd, "rmsNorm rstd"));
    }

    @Override
    public void rmsNormBackward(Tensor dOut, Tensor x, Tensor weight, Tensor rstd, Tensor dx, Tensor dWeight) {
        RmsNorm.backward(pool, f32(dOut, "rmsNormBackward dOut"), f32(x, "rmsNormBackward x"),
                f32(weight, "rmsNormBackward weight"), f32(rstd, "rmsNormBackward rstd"), f32(dx, "rmsNormBackward dx"),
                f32OrNull(dWeight, "rmsNormBackward dWeight"));
    }

    @Override
    public void rope(Tensor x, int heads, int headDim, int[] positions, Tensor cos, Tensor sin, boolean inverse) {
        Rope.apply(pool, f32(x, "rope x"), heads, headDim, positions, f32(cos, "rope cos"), f32(sin, "rope sin"), inverse);
    }

    // ---------------------------------------------------------------- attention

    @Override
    public void attention(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, AttentionSpans spans, int qHeads,
                          int kvHeads, int headDim, float scale) {
        Attention.forward(pool, f32(q, "attention q"), f32(k, "attention k"), f32(v, "attention v"),
                f32(out, "attention out"), f32OrNull(lse, "attention lse"), spans, qHeads, kvHeads, headDim, scale);
    }

    @Override
    public void attentionBackward(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, AttentionSpans spans,
                                  int qHeads, int kvHeads, int headDim, float scale, Tensor dq, Tensor dk, Tensor dv) {
        Attention.backward(pool, f32(dOut, "attentionBackward dOut"), f32(q, "attentionBackward q"),
                f32(k, "attentionBackward k"), f32(v, "attentionBackward v"), f32(out, "attentionBackward out"),
                f32(lse, "attentionBackward lse"), spans, qHeads, kvHeads, headDim, scale,
                f32(dq, "attentionBackward dq"), f32(dk, "attentionBackward dk"), f32(dv, "attentionBackward dv"));
    }

    // ---------------------------------------------------------------- activations, log-softmax, optimizer

    @Override
    public void swiglu(Tensor gate, Tensor up, Tensor out) {
        Activations.swiglu(pool, f32(gate, "swiglu gate"), f32(up, "swiglu up"), f32(out, "swiglu out"));
    }

    @Override
    public void swigluBackward(Tensor dOut, Tensor gate, Tensor up, Tensor dGate, Tensor dUp) {
        Activations.swigluBackward(pool, f32(dOut, "swigluBackward dOut"), f32(gate, "swigluBackward gate"),
                f32(up, "swigluBackward up"), f32(dGate, "swigluBackward dGate"), f32(dUp, "swigluBackward dUp"));
    }

    // ---------------------------------------------------------------- mixture of experts

    @Override
    public void gatherRows(Tensor src, int[] rows, float[] scale, Tensor dst) {
        Moe.gatherRows(pool, f32(src, "gatherRows src"), rows, scale, f32(dst, "gatherRows dst"));
    }

    @Override
    public void scatterAddRows(Tensor src, int[] rows, float[] scale, Tensor dst) {
        Moe.scatterAddRows(f32(src, "scatterAddRows src"), rows, scale, f32(dst, "scatterAddRows dst"));
    }

    @Override
    public void groupedMatmulNT(Tensor x, int[] offsets, Tensor[] weights, Tensor y) {
        CpuTensor xt = f32(x, "groupedMatmulNT x"), yt = f32(y, "groupedMatmulNT y");
        int groups = weights.length, k = x.cols(), n = y.cols();
        if (offsets.length != groups + 1 || offsets[0] != 0 || offsets[groups] != x.rows() || y.rows() != x.rows()) {
            throw new IllegalArgumentException("groupedMatmulNT: offsets " + java.util.Arrays.toString(offsets) + " for "
                    + groups + " groups, x " + x.shapeString() + ", y " + y.shapeString());
        }
        int maxRows = 0;
        for (int g = 0; g < groups; g++) {
            int rows = offsets[g + 1] - offsets[g];
            if (rows < 0) {
                throw new IllegalArgumentException("groupedMatmulNT: offsets not ascending " + java.util.Arrays.toString(offsets));
            }
            if (rows > 0) {
                if (weights[g] == null) {
                    throw new IllegalArgumentException("groupedMatmulNT: group " + g + " has " + rows + " rows and no weight");
                }
                weightOperand(weights[g], "groupedMatmulNT w");
                if (weights[g].rows() != n || weights[g].cols() != k) {
                    throw new IllegalArgumentException("groupedMatmulNT: group " + g + " weight " + weights[g].shapeString()
                            + " for x " + x.shapeString() + " -> y " + y.shapeString());
                }
            }
            maxRows = Math.max(maxRows, rows);
        }
        if (maxRows > Matmul.STREAM_ROWS || k == 0) {
            // prefill and training: every group is a real GEMM, parallel inside
            for (int g = 0; g < groups; g++) {
                if (offsets[g + 1] > offsets[g]) {
                    matmulNT(x.rowSlice(offsets[g], offsets[g + 1]), weights[g], y.rowSlice(offsets[g], offsets[g + 1]), 1f, false);
                }
            }
            return;
        }
        // decoding: a few rows per group; parallel over (group, column chunk) rather than inside each tiny product
        long flops = 2L * x.rows() * n * k;
        int threads = flops < Matmul.PARALLEL_FLOPS ? 1 : pool.threads();
        int active = 0;
        for (int g = 0; g < groups; g++) {
            active += offsets[g + 1] > offsets[g] ? 1 : 0;
        }
        int chunksPerGroup = threads == 1 ? 1 : Math.max(1, Math.max((4 * threads + active - 1) / Math.max(1, active),
                (int) ((long) n * k / (1 << 18))));
        int[] bounds = Matmul.split(n, chunksPerGroup, 4);
        int chunks = bounds.length - 1;
        int[] taskGroup = new int[active * chunks];
        float[][] padded = new float[groups][];
        int tasks = 0;
        for (int g = 0; g < groups; g++) {
            int rows = offsets[g + 1] - offsets[g];
            if (rows > 0) {
                padded[g] = Matmul.padRows(xt.data, xt.offset + offsets[g] * k, rows, k, weights[g]);
                for (int c = 0; c < chunks; c++) {
                    taskGroup[tasks++] = g;
                }
            }
        }
        pool.forEach(tasks, t -> {
            int g = taskGroup[t], c = t % chunks;
            int rows = offsets[g + 1] - offsets[g];
            int yOff = yt.offset + offsets[g] * n;
            if (weights[g] instanceof CpuTensor wt) {
                Matmul.streamColumns(rows, n, k, padded[g], wt.data, wt.offset, null, 1f, false, yt.data, yOff,
                        bounds[c], bounds[c + 1]);
            } else {
                Matmul.streamColumns(rows, n, k, padded[g], null, 0, (MappedTensor) weights[g], 1f, false, yt.data, yOff,
                        bounds[c], bounds[c + 1]);
            }
        });
    }

    @Override
    public void rowDots(Tensor a, Tensor b, float[] out) {
        Moe.rowDots(f32(a, "rowDots a"), f32(b, "rowDots b"), out);
    }

    @Override
    public void routerTopK(Tensor logits, int k, boolean normalize, int[] experts, float[] weights) {
        Moe.routerTopK(f32(logits, "routerTopK logits"), k, normalize, experts, weights);
    }

    @Override
    public void routerBackward(Tensor logits, int k, boolean normalize, int[] experts, float[] dWeights, Tensor dLogits) {
        Moe.routerBackward(f32(logits, "routerBackward logits"), k, normalize, experts, dWeights,
                f32(dLogits, "routerBackward dLogits"));
    }

    @Override
    public void logSumExpRows(Tensor logits, Tensor lse) {
        LogSoftmax.logSumExpRows(pool, f32(logits, "logSumExpRows logits"), f32(lse, "logSumExpRows lse"));
    }

    @Override
    public void gatherColumns(Tensor logits, int[] cols, int perRow, float[] out) {
        LogSoftmax.gatherColumns(f32(logits, "gatherColumns logits"), cols, perRow, out);
    }

    @Override
    public void logprobBackward(Tensor logits, Tensor lse, int[] cols, float[] dLogprob, int perRow) {
        LogSoftmax.logprobBackward(pool, f32(logits, "logprobBackward logits"), f32(lse, "logprobBackward lse"), cols,
                dLogprob, perRow);
    }

    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                      float weightDecay, int step) {
        AdamW.step(pool, f32(param, "adamw param"), f32(grad, "adamw grad"), f32(m, "adamw m"), f32(v, "adamw v"),
                lr, beta1, beta2, eps, weightDecay, step);
    }
}
