package dev.luthier.engine.kernels.cpu;

import dev.luthier.engine.kernels.AttentionSpans;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.function.IntConsumer;

/**
 * Causal grouped-query attention over a packed batch, one query row at a time: the scores of a row are the only
 * [keys]-sized buffer, and the backward recomputes probabilities from the forward's log-sum-exp (as flash
 * attention does) instead of storing them.
 */
final class Attention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Query rows per forward task: enough to amortise transposing the keys, few enough to spread over threads. */
    private static final int QUERY_BLOCK = 64;

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
        // tasks: (sequence, kv head, block of queries); a task serves every query head of its kv head
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

    /** Per-thread buffers: transposed keys (and values), scores and probability rows. */
    private static final class Buffers {
        private static final ThreadLocal<Buffers> LOCAL = ThreadLocal.withInitial(Buffers::new);
        float[] kt = new float[0];
        float[] vt = new float[0];
        float[] scores = new float[0];
        float[] dp = new float[0];
        float[] acc = new float[0];

        static Buffers get(int transposed, int keys, int headDim) {
            Buffers b = LOCAL.get();
            if (b.kt.length < transposed) {
                b.kt = new float[transposed];
                b.vt = new float[transposed];
            }
            if (b.scores.length < keys) {
                b.scores = new float[keys];
                b.dp = new float[keys];
            }
            if (b.acc.length < headDim) {
                b.acc = new float[headDim];
            }
            return b;
        }
    }

    /**
     * Copies rows [start, start+keys) of a kv head's columns into dst[d*ld + c] (headDim x ld, ld a multiple of the
     * vector length, zero padded), so that one query's scores against many keys are vector FMAs without reductions.
     */
    private static void transpose(CpuTensor src, int start, int keys, int col, int headDim, float[] dst, int ld) {
        float[] sd = src.data;
        for (int c = 0; c < keys; c++) {
            int row = src.at(start + c, col);
            for (int d = 0; d < headDim; d++) {
                dst[d * ld + c] = sd[row + d];
            }
        }
        for (int d = 0; d < headDim; d++) {
            java.util.Arrays.fill(dst, d * ld + keys, d * ld + ld, 0f);
        }
    }

    private static void forwardBlock(CpuTensor q, CpuTensor k, CpuTensor v, CpuTensor out, CpuTensor lse,
                                     AttentionSpans spans, int s, int g, int j0, int j1, int qHeads, int kvHeads,
                                     int headDim, float scale) {
        int group = qHeads / kvHeads;
        int kvCol = g * headDim;
        int qs = spans.queryStart()[s], ql = spans.queryLen()[s], ks = spans.keyStart()[s], kl = spans.keyLen()[s];
        int maxKeys = kl - ql + j1;
        int ld = roundUp(maxKeys, 4 * L);
        Buffers buf = Buffers.get(headDim * ld, ld, headDim);
        float[] kt = buf.kt, scores = buf.scores, acc = buf.acc;
        transpose(k, ks, maxKeys, kvCol, headDim, kt, ld);
        for (int h = g * group; h < (g + 1) * group; h++) {
            for (int j = j0; j < j1; j++) {
                int qIdx = q.at(qs + j, h * headDim);
                int keys = kl - ql + j + 1;
                scoresRow(q.data, qIdx, kt, ld, headDim, keys, scale, scores);
                float max = VectorOps.max(scores, 0, keys);
                float sum = VectorOps.expInPlace(scores, 0, keys, max);
                weightedRows(scores, keys, v.data, v.at(ks, kvCol), v.cols, headDim, acc);
                float inv = 1f / sum;
                int oIdx = out.at(qs + j, h * headDim);
                for (int d = 0; d < headDim; d++) {
                    out.data[oIdx + d] = acc[d] * inv;
                }
                if (lse != null) {
                    lse.data[lse.at(qs + j, h)] = max + (float) Math.log(sum);
                }
            }
        }
    }

    private static int roundUp(int x, int unit) {
        return (x + unit - 1) / unit * unit;
    }

    /**
     * scores[c] = scale * sum_d x[xOff+d] * t[d*ld + c] for c < keys (computed in whole vectors; t is zero padded).
     * Even and odd d go to separate accumulators so that eight FMA chains hide the FMA latency.
     */
    private static void scoresRow(float[] x, int xOff, float[] t, int ld, int headDim, int keys, float scale,
                                  float[] scores) {
        for (int c = 0; c < keys; c += 4 * L) {
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
            FloatVector u0 = FloatVector.zero(S), u1 = FloatVector.zero(S), u2 = FloatVector.zero(S), u3 = FloatVector.zero(S);
            int d = 0;
            for (; d + 1 < headDim; d += 2) {
                FloatVector xd = FloatVector.broadcast(S, x[xOff + d]);
                int row = d * ld + c;
                s0 = xd.fma(FloatVector.fromArray(S, t, row), s0);
                s1 = xd.fma(FloatVector.fromArray(S, t, row + L), s1);
                s2 = xd.fma(FloatVector.fromArray(S, t, row + 2 * L), s2);
                s3 = xd.fma(FloatVector.fromArray(S, t, row + 3 * L), s3);
                FloatVector xe = FloatVector.broadcast(S, x[xOff + d + 1]);
                row += ld;
                u0 = xe.fma(FloatVector.fromArray(S, t, row), u0);
                u1 = xe.fma(FloatVector.fromArray(S, t, row + L), u1);
                u2 = xe.fma(FloatVector.fromArray(S, t, row + 2 * L), u2);
                u3 = xe.fma(FloatVector.fromArray(S, t, row + 3 * L), u3);
            }
            if (d < headDim) {
                FloatVector xd = FloatVector.broadcast(S, x[xOff + d]);
                int row = d * ld + c;
                s0 = xd.fma(FloatVector.fromArray(S, t, row), s0);
                s1 = xd.fma(FloatVector.fromArray(S, t, row + L), s1);
                s2 = xd.fma(FloatVector.fromArray(S, t, row + 2 * L), s2);
                s3 = xd.fma(FloatVector.fromArray(S, t, row + 3 * L), s3);
            }
            s0.add(u0).mul(scale).intoArray(scores, c);
            s1.add(u1).mul(scale).intoArray(scores, c + L);
            s2.add(u2).mul(scale).intoArray(scores, c + 2 * L);
            s3.add(u3).mul(scale).intoArray(scores, c + 3 * L);
        }
    }

    /** acc[d] = sum_{c < keys} w[c] * rows[start + c*ld + d]; even and odd keys use separate accumulators. */
    private static void weightedRows(float[] w, int keys, float[] rows, int start, int ld, int headDim, float[] acc) {
        int d = 0;
        for (; d <= headDim - 4 * L; d += 4 * L) {
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
            FloatVector b0 = FloatVector.zero(S), b1 = FloatVector.zero(S), b2 = FloatVector.zero(S), b3 = FloatVector.zero(S);
            int c = 0;
            for (; c + 1 < keys; c += 2) {
                FloatVector wc = FloatVector.broadcast(S, w[c]);
                int row = start + c * ld + d;
                a0 = wc.fma(FloatVector.fromArray(S, rows, row), a0);
                a1 = wc.fma(FloatVector.fromArray(S, rows, row + L), a1);
                a2 = wc.fma(FloatVector.fromArray(S, rows, row + 2 * L), a2);
                a3 = wc.fma(FloatVector.fromArray(S, rows, row + 3 * L), a3);
                FloatVector we = FloatVector.broadcast(S, w[c + 1]);
                row += ld;
                b0 = we.fma(FloatVector.fromArray(S, rows, row), b0);
                b1 = we.fma(FloatVector.fromArray(S, rows, row + L), b1);
                b2 = we.fma(FloatVector.fromArray(S, rows, row + 2 * L), b2);
                b3 = we.fma(FloatVector.fromArray(S, rows, row + 3 * L), b3);
            }
            if (c < keys) {
                FloatVector wc = FloatVector.broadcast(S, w[c]);
                int row = start + c * ld + d;
                a0 = wc.fma(FloatVector.fromArray(S, rows, row), a0);
                a1 = wc.fma(FloatVector.fromArray(S, rows, row + L), a1);
                a2 = wc.fma(FloatVector.fromArray(S, rows, row + 2 * L), a2);
                a3 = wc.fma(FloatVector.fromArray(S, rows, row + 3 * L), a3);
            }
            a0.add(b0).intoArray(acc, d);
            a1.add(b1).intoArray(acc, d + L);
            a2.add(b2).intoArray(acc, d + 2 * L);
            a3.add(b3).intoArray(acc, d + 3 * L);
        }
        for (; d <= headDim - L; d += L) {
            FloatVector a0 = FloatVector.zero(S);
            for (int c = 0; c < keys; c++) {
                a0 = FloatVector.broadcast(S, w[c]).fma(FloatVector.fromArray(S, rows, start + c * ld + d), a0);
            }
            a0.intoArray(acc, d);
        }
        for (; d < headDim; d++) {
            float a = 0f;
            for (int c = 0; c < keys; c++) {
                a += w[c] * rows[start + c * ld + d];
            }
            acc[d] = a;
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
     * All query heads of kv head {@code g} in sequence {@code s}: the only writers of that head's dk and dv rows.
     * Per query row i: p = exp(scale*q·kᵀ - lse), dp = dO·vᵀ, ds = p*(dp - dO·o); dq += scale*ds·k,
     * dk += scale*dsᵀq, dv += pᵀdO.
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
        int ld = roundUp(kl, 4 * L);
        Buffers buf = Buffers.get(headDim * ld, ld, headDim);
        float[] kt = buf.kt, vt = buf.vt, p = buf.scores, dp = buf.dp, acc = buf.acc;
        transpose(k, ks, kl, kvCol, headDim, kt, ld);
        transpose(v, ks, kl, kvCol, headDim, vt, ld);
        float[] qd = q.data, dOd = dOut.data;
        for (int h = g * group; h < (g + 1) * group; h++) {
            int qCol = h * headDim;
            for (int j = 0; j < ql; j++) {
                int qIdx = q.at(qs + j, qCol);
                int doIdx = dOut.at(qs + j, qCol);
                int keys = kl - ql + j + 1;
                float rowLse = lse.data[lse.at(qs + j, h)];
                float dDot = VectorOps.dot(dOd, doIdx, out.data, out.at(qs + j, qCol), headDim);
                scoresRow(qd, qIdx, kt, ld, headDim, keys, scale, p);
                scoresRow(dOd, doIdx, vt, ld, headDim, keys, 1f, dp);
                FloatVector lseV = FloatVector.broadcast(S, rowLse), dDotV = FloatVector.broadcast(S, dDot);
                int c = 0;
                for (; c <= keys - L; c += L) {
                    FloatVector pv = FloatVector.fromArray(S, p, c).sub(lseV).lanewise(VectorOperators.EXP);
                    pv.intoArray(p, c);
                    // dp now holds ds = scale * p * (dp - D)
                    pv.mul(FloatVector.fromArray(S, dp, c).sub(dDotV)).mul(scale).intoArray(dp, c);
                }
                for (; c < keys; c++) {
                    float pc = (float) Math.exp(p[c] - rowLse);
                    p[c] = pc;
                    dp[c] = pc * (dp[c] - dDot) * scale;
                }
                weightedRows(dp, keys, k.data, k.at(ks, kvCol), k.cols, headDim, acc);
                VectorOps.axpy(1f, acc, 0, dq.data, dq.at(qs + j, qCol), headDim);
                scatterToKeys(dp, p, keys, qd, qIdx, dOd, doIdx, dk.data, dk.at(ks, kvCol), dv.data,
                        dv.at(ks, kvCol), dk.cols, headDim);
            }
        }
    }

    /**
     * dk[c] += ds[c] * x and dv[c] += p[c] * y for every key c < keys (rows {@code ld} apart), with x and y held in
     * registers a chunk of the head dimension at a time.
     */
    private static void scatterToKeys(float[] ds, float[] p, int keys, float[] x, int xOff, float[] y, int yOff,
                                      float[] dk, int dkStart, float[] dv, int dvStart, int ld, int headDim) {
        int d = 0;
        for (; d <= headDim - 2 * L; d += 2 * L) {
            FloatVector x0 = FloatVector.fromArray(S, x, xOff + d), x1 = FloatVector.fromArray(S, x, xOff + d + L);
            FloatVector y0 = FloatVector.fromArray(S, y, yOff + d), y1 = FloatVector.fromArray(S, y, yOff + d + L);
            for (int c = 0; c < keys; c++) {
                FloatVector dsc = FloatVector.broadcast(S, ds[c]);
                FloatVector pc = FloatVector.broadcast(S, p[c]);
                int ki = dkStart + c * ld + d, vi = dvStart + c * ld + d;
                x0.fma(dsc, FloatVector.fromArray(S, dk, ki)).intoArray(dk, ki);
                x1.fma(dsc, FloatVector.fromArray(S, dk, ki + L)).intoArray(dk, ki + L);
                y0.fma(pc, FloatVector.fromArray(S, dv, vi)).intoArray(dv, vi);
                y1.fma(pc, FloatVector.fromArray(S, dv, vi + L)).intoArray(dv, vi + L);
            }
        }
        for (; d < headDim; d++) {
            float xd = x[xOff + d], yd = y[yOff + d];
            for (int c = 0; c < keys; c++) {
                dk[dkStart + c * ld + d] += ds[c] * xd;
                dv[dvStart + c * ld + d] += p[c] * yd;
            }
        }
    }
}
