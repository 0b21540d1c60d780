package dev.luthier.engine.kernels.cpu;

import dev.luthier.engine.kernels.AttentionSpans;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.function.IntConsumer;

/**
 * Causal grouped-query attention over a packed batch, a block of queries of one head at a time: the block's
 * [queries x keys] scores are the only score buffer, its products run through the GEMM micro-kernel, and the
 * backward recomputes probabilities from the forward's log-sum-exp (as flash attention does) instead of storing
 * them.
 */
final class Attention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Query rows per block: enough to amortise packing the keys, few enough to spread over threads. */
    private static final int QUERY_BLOCK = 64;
    /** Below this many query rows per kv head, scores are computed row by row instead of through packed keys. */
    private static final int DIRECT_ROWS = 4;

    private Attention() {
    }

    static void checkShapes(CpuTensor q, CpuTensor k, CpuTensor v, CpuTensor out, CpuTensor lse, AttentionSpans spans,
                            int qHeads, int kvHeads, int headDim) {
        if (qHeads <= 0 || kvHeads <= 0 || headDim <= 0 || qHeads % kvHeads != 0) {
            throw new IllegalArgumentException("attention: qHeads " + qHeads + " must be a positive multiple of kvHeads "
                    + kvHeads + " (headDim " + headDim + ")");
        }
        if (q.cols != qHeads * headDim || out.cols != qHeads * headDim || out.rows != q.rows) {
            throw new IllegalArgumentException("attention: q " + q.shapeString() + " and out " + out.shapeString()
                    + " must be [Tq, " + qHeads * headDim + "]");
        }
        if (k.cols != kvHeads * headDim || v.cols != kvHeads * headDim || k.rows != v.rows) {
            throw new IllegalArgumentException("attention: k " + k.shapeString() + " and v " + v.shapeString()
                    + " must be [Tk, " + kvHeads * headDim + "]");
        }
        if (lse != null && (lse.rows != q.rows || lse.cols != qHeads)) {
            throw new IllegalArgumentException("attention: lse " + lse.shapeString() + " must be [" + q.rows + ", " + qHeads + "]");
        }
        for (int s = 0; s < spans.sequences(); s++) {
            int qs = spans.queryStart()[s], ql = spans.queryLen()[s], ks = spans.keyStart()[s], kl = spans.keyLen()[s];
            if (qs < 0 || ql < 0 || qs + ql > q.rows || ks < 0 || kl < 0 || ks + kl > k.rows) {
                throw new IllegalArgumentException("attention: sequence " + s + " (queries [" + qs + ", " + (qs + ql)
                        + "), keys [" + ks + ", " + (ks + kl) + ")) is outside q " + q.shapeString() + " / k " + k.shapeString());
            }
        }
    }

    static void forward(WorkerPool pool, CpuTensor q, CpuTensor k, CpuTensor v, CpuTensor out, CpuTensor lse,
                        AttentionSpans spans, int qHeads, int kvHeads, int headDim, float scale) {
        checkShapes(q, k, v, out, lse, spans, qHeads, kvHeads, headDim);
        int seqs = spans.sequences();
        // tasks: (sequence, kv head, block of queries); a task serves the query heads of its kv head
        int[] taskStart = new int[seqs + 1];
        long work = 0;
        for (int s = 0; s < seqs; s++) {
            int blocks = (spans.queryLen()[s] + QUERY_BLOCK - 1) / QUERY_BLOCK;
            taskStart[s + 1] = taskStart[s] + blocks * kvHeads;
            work += (long) spans.queryLen()[s] * spans.keyLen()[s] * qHeads * headDim;
        }
        IntConsumer body = t -> {
            int s = 0;
            while (taskStart[s + 1] <= t) {
                s++;
            }
            int local = t - taskStart[s];
            int g = local % kvHeads;
            int j0 = (local / kvHeads) * QUERY_BLOCK;
            int j1 = Math.min(spans.queryLen()[s], j0 + QUERY_BLOCK);
            forwardBlock(q, k, v, out, lse, spans, s, g, j0, j1, qHeads, kvHeads, headDim, scale);
        };
        if (work < ParallelRows.PARALLEL_WORK) {
            for (int t = 0; t < taskStart[seqs]; t++) {
                body.accept(t);
            }
        } else {
            pool.forEach(taskStart[seqs], body);
        }
    }

    /** Per-thread score and probability blocks ({@code QUERY_BLOCK} rows) and packed keys. */
    private static final class Buffers {
        private static final ThreadLocal<Buffers> LOCAL = ThreadLocal.withInitial(Buffers::new);
        float[] p = new float[0];
        float[] dp = new float[0];
        float[] keys = new float[0];
        float[] values = new float[0];
        final float[] inv = new float[QUERY_BLOCK];

        static Buffers get(int size) {
            Buffers b = LOCAL.get();
            if (b.p.length < size) {
                b.p = new float[size];
                b.dp = new float[size];
            }
            return b;
        }

        float[] keys(int size) {
            if (keys.length < size) {
                keys = new float[size];
            }
            return keys;
        }

        float[] values(int size) {
            if (values.length < size) {
                values = new float[size];
            }
            return values;
        }
    }

    /**
     * Queries [j0, j1) of every query head of kv head g: S = scale·Q·Kᵀ over the keys the last of them sees (Kᵀ
     * packed once for all those heads), a masked softmax per row, then O = P·V / rowsum, both products through the
     * GEMM on this thread.
     */
    private static void forwardBlock(CpuTensor q, CpuTensor k, CpuTensor v, CpuTensor out, CpuTensor lse,
                                     AttentionSpans spans, int s, int g, int j0, int j1, int qHeads, int kvHeads,
                                     int headDim, float scale) {
        int group = qHeads / kvHeads;
        int kvCol = g * headDim;
        int qs = spans.queryStart()[s], ql = spans.queryLen()[s], ks = spans.keyStart()[s], kl = spans.keyLen()[s];
        int rows = j1 - j0;
        int maxKeys = kl - ql + j1;
        int ld = maxKeys;
        Buffers buf = Buffers.get(rows * ld);
        float[] p = buf.p, inv = buf.inv;
        if (rows * group < DIRECT_ROWS) {
            forwardRowsDirect(q, k, v, out, lse, spans, s, g, j0, j1, group, headDim, scale, p);
            return;
        }
        Matmul.PrepackedB keysT = Matmul.prepack(new Matmul.TransposedB(k.data, k.at(ks, kvCol), k.cols), headDim,
                maxKeys, buf.keys(headDim * Matmul.roundUp(maxKeys, Matmul.NR)));
        for (int h = g * group; h < (g + 1) * group; h++) {
            Matmul.gemm(null, rows, maxKeys, headDim, new Matmul.RowMajorA(q.data, q.at(qs + j0, h * headDim), q.cols),
                    keysT, scale, false, p, 0, ld);
            for (int r = 0; r < rows; r++) {
                int keys = kl - ql + j0 + r + 1;
                int row = r * ld;
                float max = VectorOps.max(p, row, keys);
                float sum = VectorOps.expInPlace(p, row, keys, max);
                inv[r] = 1f / sum;
                java.util.Arrays.fill(p, row + keys, row + ld, 0f);
                if (lse != null) {
                    lse.data[lse.at(qs + j0 + r, h)] = max + (float) Math.log(sum);
                }
            }
            int outIdx = out.at(qs + j0, h * headDim);
            Matmul.gemm(null, rows, headDim, maxKeys, new Matmul.RowMajorA(p, 0, ld),
                    new Matmul.RowMajorB(v.data, v.at(ks, kvCol), v.cols), 1f, false, out.data, outIdx, out.cols);
            for (int r = 0; r < rows; r++) {
                int o = outIdx + r * out.cols;
                for (int d = 0; d < headDim; d++) {
                    out.data[o + d] *= inv[r];
                }
            }
        }
    }

    /**
     * The same for a few query rows (decode): packing a long cache of keys would cost more than the dot products,
     * so each row takes its scores as dot products and its output as a sum of value rows.
     */
    private static void forwardRowsDirect(CpuTensor q, CpuTensor k, CpuTensor v, CpuTensor out, CpuTensor lse,
                                          AttentionSpans spans, int s, int g, int j0, int j1, int group, int headDim,
                                          float scale, float[] scores) {
        int kvCol = g * headDim;
        int qs = spans.queryStart()[s], ql = spans.queryLen()[s], ks = spans.keyStart()[s], kl = spans.keyLen()[s];
        for (int h = g * group; h < (g + 1) * group; h++) {
            for (int j = j0; j < j1; j++) {
                int qIdx = q.at(qs + j, h * headDim);
                int keys = kl - ql + j + 1;
                for (int c = 0; c < keys; c++) {
                    scores[c] = scale * VectorOps.dot(q.data, qIdx, k.data, k.at(ks + c, kvCol), headDim);
                }
                float max = VectorOps.max(scores, 0, keys);
                float sum = VectorOps.expInPlace(scores, 0, keys, max);
                int oIdx = out.at(qs + j, h * headDim);
                java.util.Arrays.fill(out.data, oIdx, oIdx + headDim, 0f);
                float inv = 1f / sum;
                for (int c = 0; c < keys; c++) {
                    VectorOps.axpy(scores[c] * inv, v.data, v.at(ks + c, kvCol), out.data, oIdx, headDim);
                }
                if (lse != null) {
                    lse.data[lse.at(qs + j, h)] = max + (float) Math.log(sum);
                }
            }
        }
    }

    static void backward(WorkerPool pool, CpuTensor dOut, CpuTensor q, CpuTensor k, CpuTensor v, CpuTensor out,
                         CpuTensor lse, AttentionSpans spans, int qHeads, int kvHeads, int headDim, float scale,
                         CpuTensor dq, CpuTensor dk, CpuTensor dv) {
        if (lse == null) {
            throw new IllegalArgumentException("attention backward needs the forward's lse");
        }
        checkShapes(q, k, v, out, lse, spans, qHeads, kvHeads, headDim);
        if (dOut.rows != q.rows || dOut.cols != q.cols || dq.rows != q.rows || dq.cols != q.cols
                || dk.rows != k.rows || dk.cols != k.cols || dv.rows != v.rows || dv.cols != v.cols) {
            throw new IllegalArgumentException("attention backward: dOut " + dOut.shapeString() + ", dq " + dq.shapeString()
                    + ", dk " + dk.shapeString() + ", dv " + dv.shapeString() + " must match q " + q.shapeString()
                    + ", k " + k.shapeString() + ", v " + v.shapeString());
        }
        int seqs = spans.sequences();
        for (int s = 0; s < seqs; s++) {
            if (spans.queryLen()[s] != spans.keyLen()[s]) {
                throw new IllegalArgumentException("attention backward: sequence " + s + " has " + spans.queryLen()[s]
                        + " queries but " + spans.keyLen()[s] + " keys; only queryLen == keyLen is supported");
            }
        }
        int tasks = seqs * kvHeads;
        IntConsumer body = t -> backwardGroup(dOut, q, k, v, out, lse, spans, t / kvHeads,
                t % kvHeads, qHeads, kvHeads, headDim, scale, dq, dk, dv);
        if (keyRangesOverlap(spans)) {
            // two sequences sharing key rows would race on dk/dv
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
        } else {
            pool.forEach(tasks, body);
        }
    }

    private static boolean keyRangesOverlap(AttentionSpans spans) {
        int n = spans.sequences();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Integer.compare(spans.keyStart()[a], spans.keyStart()[b]));
        for (int i = 1; i < n; i++) {
            int prev = order[i - 1], cur = order[i];
            if (spans.keyLen()[prev] > 0 && spans.keyStart()[prev] + spans.keyLen()[prev] > spans.keyStart()[cur]
                    && spans.keyLen()[cur] > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * All query heads of kv head {@code g} in sequence {@code s}, the only writers of that head's dk and dv rows,
     * a block of queries at a time: P = exp(scale·Q·Kᵀ - lse), dP = dO·Vᵀ, dS = scale·P∘(dP - rowsum(dO∘O));
     * dQ += dS·K, dK += dSᵀ·Q, dV += Pᵀ·dO.
     */
    private static void backwardGroup(CpuTensor dOut, CpuTensor q, CpuTensor k, CpuTensor v, CpuTensor out,
                                      CpuTensor lse, AttentionSpans spans, int s, int g, int qHeads, int kvHeads,
                                      int headDim, float scale, CpuTensor dq, CpuTensor dk, CpuTensor dv) {
        int group = qHeads / kvHeads;
        int kvCol = g * headDim;
        int qs = spans.queryStart()[s], ql = spans.queryLen()[s], ks = spans.keyStart()[s], kl = spans.keyLen()[s];
        if (ql == 0) {
            return;
        }
        Buffers shared = Buffers.get(0);
        int packedSize = headDim * Matmul.roundUp(kl, Matmul.NR);
        Matmul.PrepackedB keysT = Matmul.prepack(new Matmul.TransposedB(k.data, k.at(ks, kvCol), k.cols), headDim, kl,
                shared.keys(packedSize));
        Matmul.PrepackedB valuesT = Matmul.prepack(new Matmul.TransposedB(v.data, v.at(ks, kvCol), v.cols), headDim, kl,
                shared.values(packedSize));
        for (int h = g * group; h < (g + 1) * group; h++) {
            int qCol = h * headDim;
            for (int j0 = 0; j0 < ql; j0 += QUERY_BLOCK) {
                int j1 = Math.min(ql, j0 + QUERY_BLOCK);
                int rows = j1 - j0;
                int maxKeys = kl - ql + j1;
                int ld = maxKeys;
                Buffers buf = Buffers.get(rows * ld);
                float[] p = buf.p, ds = buf.dp;
                int qIdx = q.at(qs + j0, qCol), doIdx = dOut.at(qs + j0, qCol);
                Matmul.gemm(null, rows, maxKeys, headDim, new Matmul.RowMajorA(q.data, qIdx, q.cols), keysT, scale, false,
                        p, 0, ld);
                Matmul.gemm(null, rows, maxKeys, headDim, new Matmul.RowMajorA(dOut.data, doIdx, dOut.cols), valuesT, 1f,
                        false, ds, 0, ld);
                for (int r = 0; r < rows; r++) {
                    int keys = kl - ql + j0 + r + 1;
                    int row = r * ld;
                    float rowLse = lse.data[lse.at(qs + j0 + r, h)];
                    float dDot = VectorOps.dot(dOut.data, doIdx + r * dOut.cols, out.data, out.at(qs + j0 + r, qCol), headDim);
                    FloatVector lseV = FloatVector.broadcast(S, rowLse), dDotV = FloatVector.broadcast(S, dDot);
                    int c = 0;
                    for (; c <= keys - L; c += L) {
                        FloatVector pv = FloatVector.fromArray(S, p, row + c).sub(lseV).lanewise(VectorOperators.EXP);
                        pv.intoArray(p, row + c);
                        pv.mul(FloatVector.fromArray(S, ds, row + c).sub(dDotV)).mul(scale).intoArray(ds, row + c);
                    }
                    for (; c < keys; c++) {
                        float pc = (float) Math.exp(p[row + c] - rowLse);
                        p[row + c] = pc;
                        ds[row + c] = pc * (ds[row + c] - dDot) * scale;
                    }
                    java.util.Arrays.fill(p, row + keys, row + ld, 0f);
                    java.util.Arrays.fill(ds, row + keys, row + ld, 0f);
                }
                Matmul.gemm(null, rows, headDim, maxKeys, new Matmul.RowMajorA(ds, 0, ld),
                        new Matmul.RowMajorB(k.data, k.at(ks, kvCol), k.cols), 1f, true, dq.data, dq.at(qs + j0, qCol),
                        dq.cols);
                Matmul.gemm(null, maxKeys, headDim, rows, new Matmul.TransposedA(ds, 0, ld),
                        new Matmul.RowMajorB(q.data, qIdx, q.cols), 1f, true, dk.data, dk.at(ks, kvCol), dk.cols);
                Matmul.gemm(null, maxKeys, headDim, rows, new Matmul.TransposedA(p, 0, ld),
                        new Matmul.RowMajorB(dOut.data, doIdx, dOut.cols), 1f, true, dv.data, dv.at(ks, kvCol), dv.cols);
            }
        }
    }
}
