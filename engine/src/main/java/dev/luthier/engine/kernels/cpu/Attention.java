package dev.luthier.engine.kernels.cpu;

import dev.luthier.engine.kernels.AttentionSpans;

/**
 * Causal grouped-query attention over a packed batch, one query row at a time: the scores of a row are the only
 * [keys]-sized buffer, and the backward recomputes probabilities from the forward's log-sum-exp (as flash
 * attention does) instead of storing them.
 */
final class Attention {
    /** Query rows per forward task, so that one long sequence still spreads over the threads. */
    private static final int QUERY_BLOCK = 32;

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
        int[] taskStart = new int[seqs + 1];
        int maxKeys = 0;
        for (int s = 0; s < seqs; s++) {
            int blocks = (spans.queryLen()[s] + QUERY_BLOCK - 1) / QUERY_BLOCK;
            taskStart[s + 1] = taskStart[s] + blocks * qHeads;
            maxKeys = Math.max(maxKeys, spans.keyLen()[s]);
        }
        int tasks = taskStart[seqs];
        int keysBuffer = maxKeys;
        long work = 0;
        for (int s = 0; s < seqs; s++) {
            work += (long) spans.queryLen()[s] * spans.keyLen()[s] * qHeads * headDim;
        }
        java.util.function.IntConsumer body = t -> {
            int s = 0;
            while (taskStart[s + 1] <= t) {
                s++;
            }
            int local = t - taskStart[s];
            int h = local % qHeads;
            int block = local / qHeads;
            int j0 = block * QUERY_BLOCK;
            int j1 = Math.min(spans.queryLen()[s], j0 + QUERY_BLOCK);
            forwardRows(q, k, v, out, lse, spans, s, h, j0, j1, qHeads, kvHeads, headDim, scale,
                    new float[Math.max(1, keysBuffer)], new float[headDim]);
        };
        if (work < ParallelRows.PARALLEL_WORK) {
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
        } else {
            pool.forEach(tasks, body);
        }
    }

    private static void forwardRows(CpuTensor q, CpuTensor k, CpuTensor v, CpuTensor out, CpuTensor lse,
                                    AttentionSpans spans, int s, int h, int j0, int j1, int qHeads, int kvHeads,
                                    int headDim, float scale, float[] scores, float[] acc) {
        int group = qHeads / kvHeads;
        int kvCol = (h / group) * headDim;
        int qs = spans.queryStart()[s], ql = spans.queryLen()[s], ks = spans.keyStart()[s], kl = spans.keyLen()[s];
        float[] qd = q.data, kd = k.data, vd = v.data, od = out.data;
        for (int j = j0; j < j1; j++) {
            int qIdx = q.at(qs + j, h * headDim);
            int keys = kl - ql + j + 1;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < keys; c++) {
                float sc = scale * VectorOps.dot(qd, qIdx, kd, k.at(ks + c, kvCol), headDim);
                scores[c] = sc;
                max = Math.max(max, sc);
            }
            float sum = VectorOps.expInPlace(scores, 0, keys, max);
            java.util.Arrays.fill(acc, 0f);
            for (int c = 0; c < keys; c++) {
                VectorOps.axpy(scores[c], vd, v.at(ks + c, kvCol), acc, 0, headDim);
            }
            float inv = 1f / sum;
            int oIdx = out.at(qs + j, h * headDim);
            for (int d = 0; d < headDim; d++) {
                od[oIdx + d] = acc[d] * inv;
            }
            if (lse != null) {
                lse.data[lse.at(qs + j, h)] = max + (float) Math.log(sum);
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
        java.util.function.IntConsumer body = t -> backwardGroup(dOut, q, k, v, out, lse, spans, t / kvHeads,
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

    /** All query heads of kv head {@code g} in sequence {@code s}: the only writers of that head's dk and dv rows. */
    private static void backwardGroup(CpuTensor dOut, CpuTensor q, CpuTensor k, CpuTensor v, CpuTensor out,
                                      CpuTensor lse, AttentionSpans spans, int s, int g, int qHeads, int kvHeads,
                                      int headDim, float scale, CpuTensor dq, CpuTensor dk, CpuTensor dv) {
        int group = qHeads / kvHeads;
        int kvCol = g * headDim;
        int qs = spans.queryStart()[s], ql = spans.queryLen()[s], ks = spans.keyStart()[s], kl = spans.keyLen()[s];
        float[] qd = q.data, kd = k.data, vd = v.data, dOd = dOut.data, od = out.data;
        float[] dqAcc = new float[headDim];
        for (int h = g * group; h < (g + 1) * group; h++) {
            int qCol = h * headDim;
            for (int j = 0; j < ql; j++) {
                int qIdx = q.at(qs + j, qCol);
                int doIdx = dOut.at(qs + j, qCol);
                float rowLse = lse.data[lse.at(qs + j, h)];
                float dDot = VectorOps.dot(dOd, doIdx, od, out.at(qs + j, qCol), headDim);
                int keys = kl - ql + j + 1;
                java.util.Arrays.fill(dqAcc, 0f);
                for (int c = 0; c < keys; c++) {
                    int kIdx = k.at(ks + c, kvCol);
                    int vIdx = v.at(ks + c, kvCol);
                    float p = (float) Math.exp(scale * VectorOps.dot(qd, qIdx, kd, kIdx, headDim) - rowLse);
                    float dp = VectorOps.dot(dOd, doIdx, vd, vIdx, headDim);
                    float ds = p * (dp - dDot) * scale;
                    VectorOps.axpy(ds, kd, kIdx, dqAcc, 0, headDim);
                    VectorOps.axpy(ds, qd, qIdx, dk.data, dk.at(ks + c, kvCol), headDim);
                    VectorOps.axpy(p, dOd, doIdx, dv.data, dv.at(ks + c, kvCol), headDim);
                }
                VectorOps.axpy(1f, dqAcc, 0, dq.data, dq.at(qs + j, qCol), headDim);
            }
        }
    }
}
