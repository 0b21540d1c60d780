package dev.luthier.engine.kernels.cpu;

import dev.luthier.engine.kernels.AttentionSpans;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.util.Arrays;

import static dev.luthier.engine.kernels.cpu.AttentionBlocks.BK;
import static dev.luthier.engine.kernels.cpu.AttentionBlocks.SP;
import static dev.luthier.engine.kernels.cpu.AttentionBlocks.VL;
import static dev.luthier.engine.kernels.cpu.AttentionBlocks.accumulate;
import static dev.luthier.engine.kernels.cpu.AttentionBlocks.padded;
import static dev.luthier.engine.kernels.cpu.AttentionBlocks.rows4;
import static dev.luthier.engine.kernels.cpu.AttentionBlocks.scoreDots;
import static dev.luthier.engine.kernels.cpu.AttentionBlocks.scoreTile;

/**
 * Causal grouped-query attention over a packed batch, in tiles as flash attention does it.
 *
 * <p>A tile is one sequence, one kv head and a block of query rows, taken for every query head that shares that kv
 * head, so each block of {@link AttentionBlocks#BK} keys and values is read once for the whole group. Scores of a
 * tile against a key block come from a register-blocked product with the block packed transposed; the forward keeps
 * a running maximum and sum per row (online softmax) and accumulates probabilities times values with vector FMAs.
 * Key blocks entirely after a tile's last query position are skipped; blocks across the diagonal are masked.
 *
 * <p>The backward recomputes probabilities from the forward's log-sum-exp, one (query tile, key block) pair at a
 * time (P, dP = dO·Vᵀ, dS = P∘(dP − D), then dV += Pᵀ·dO, dK += dSᵀ·Q, dQ += dS·K as tile products); no
 * score matrix larger than a tile is stored. A task is one (sequence, kv head) pair: the only writer of its dk and
 * dv rows and of the dq rows of its query heads. When there are too few pairs to occupy the threads, a pair's query
 * tiles are split into parts of equal causal work whose private dk/dv sums are added in part order afterwards.
 *
 * <p>Scores of tiles with few rows (decoding: a few queries of a small group) are dot products over keys read in
 * place, since packing the keys would cost more than the products. Decoding splits a tile's keys into chunks over
 * the threads when there are too few tiles to occupy them, and merges the chunks' partial softmax states.
 *
 * <p>Results do not depend on scheduling, but the split into parts and chunks depends on the thread count, so
 * different thread counts can differ in rounding.
 */
final class Attention {
    /** Tile rows (query rows × query heads of a group) aimed at. */
    private static final int TILE_ROWS = 64;
    /** Fewest keys in one chunk when a tile's keys are split over threads. */
    private static final int MIN_CHUNK_KEYS = 256;
    /** Up to this many tile rows, scores are dot products over keys read in place instead of a packed product. */
    private static final int DOT_ROWS = 8;
    private static final FloatVector IOTA;

    static {
        float[] lanes = new float[VL];
        for (int i = 0; i < VL; i++) {
            lanes[i] = i;
        }
        IOTA = FloatVector.fromArray(SP, lanes, 0);
    }

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

    /** Query rows per tile when {@code group} query heads share a kv head. */
    static int blockRows(int group) {
        return Math.max(1, TILE_ROWS / group);
    }

    static void forward(WorkerPool pool, CpuTensor q, CpuTensor k, CpuTensor v, CpuTensor out, CpuTensor lse,
                        AttentionSpans spans, int qHeads, int kvHeads, int headDim, float scale) {
        checkShapes(q, k, v, out, lse, spans, qHeads, kvHeads, headDim);
        int group = qHeads / kvHeads;
        int bq = blockRows(group);
        int seqs = spans.sequences();
        int units = 0;
        long work = 0;
        for (int s = 0; s < seqs; s++) {
            units += (spans.queryLen()[s] + bq - 1) / bq * kvHeads;
            work += (long) spans.queryLen()[s] * spans.keyLen()[s] * qHeads * headDim;
        }
        if (units == 0) {
            return;
        }
        // a unit is (sequence, kv head, query block); the longest (most keys) go first
        long[] sorted = new long[units];
        int[] uSeq = new int[units], uHead = new int[units], uRow = new int[units], uKeys = new int[units];
        int u = 0;
        for (int s = 0; s < seqs; s++) {
            int ql = spans.queryLen()[s], kl = spans.keyLen()[s];
            for (int j0 = 0; j0 < ql; j0 += bq) {
                int keys = kl - ql + Math.min(ql, j0 + bq);
                for (int g = 0; g < kvHeads; g++, u++) {
                    uSeq[u] = s;
                    uHead[u] = g;
                    uRow[u] = j0;
                    uKeys[u] = keys;
                    sorted[u] = ((long) (Integer.MAX_VALUE - keys) << 32) | u;
                }
            }
        }
        Arrays.sort(sorted);
        int[] order = new int[units];
        int maxKeys = 0;
        for (int i = 0; i < units; i++) {
            order[i] = (int) sorted[i];
            maxKeys = Math.max(maxKeys, uKeys[i]);
        }
        int threads = work < ParallelRows.PARALLEL_WORK ? 1 : pool.threads();
        int chunkKeys = Integer.MAX_VALUE;
        if (threads > 1 && units < 2 * threads) {
            int perUnit = (2 * threads + units - 1) / units;
            chunkKeys = Math.max(MIN_CHUNK_KEYS, (maxKeys + perUnit - 1) / perUnit);
            chunkKeys = (chunkKeys + BK - 1) / BK * BK;
        }
        int[] itemStart = new int[units + 1];
        for (int i = 0; i < units; i++) {
            int un = order[i];
            itemStart[i + 1] = itemStart[i] + (uKeys[un] - 1) / chunkKeys + 1;
        }
        int items = itemStart[units];
        float[][] packed = packKeysOnce(pool, threads, k, spans, kvHeads, headDim, group, bq);
        if (items == units) {
            run(pool, threads, units, i -> {
                int un = order[i];
                int s = uSeq[un], j0 = uRow[un];
                ForwardTile t = forwardTile(q, k, v, packed[s * kvHeads + uHead[un]], spans, s, uHead[un], j0, Math.min(spans.queryLen()[s], j0 + bq),
                        0, Integer.MAX_VALUE, group, headDim, scale);
                t.write(out, lse, spans, s, uHead[un], j0, group, headDim);
            });
            return;
        }
        // few tiles over long key ranges (decoding): chunks of keys in parallel, then merge their softmax states
        ForwardTile[] parts = new ForwardTile[items];
        int[] itemUnit = new int[items];
        for (int i = 0; i < units; i++) {
            Arrays.fill(itemUnit, itemStart[i], itemStart[i + 1], i);
        }
        int chunk = chunkKeys;
        run(pool, threads, items, it -> {
            int i = itemUnit[it];
            int un = order[i];
            int s = uSeq[un], j0 = uRow[un];
            int c0 = (it - itemStart[i]) * chunk;
            parts[it] = forwardTile(q, k, v, packed[s * kvHeads + uHead[un]], spans, s, uHead[un], j0, Math.min(spans.queryLen()[s], j0 + bq),
                    c0, c0 + chunk, group, headDim, scale);
        });
        run(pool, threads, units, i -> {
            int un = order[i];
            ForwardTile merged = ForwardTile.merge(parts, itemStart[i], itemStart[i + 1]);
            merged.write(out, lse, spans, uSeq[un], uHead[un], uRow[un], group, headDim);
        });
    }

    /** Keys per packing task. */
    private static final int PACK_KEYS = 512;

    /**
     * The keys of each (sequence, kv head) whose tiles have more than {@link #DOT_ROWS} rows, transposed per key
     * block ({@code [block][headDim][BK]}, zero past the last key), packed once for all the query tiles that read
     * them; null for the pairs whose tiles read keys in place.
     */
    private static float[][] packKeysOnce(WorkerPool pool, int threads, CpuTensor k, AttentionSpans spans, int kvHeads,
                                          int hd, int group, int bq) {
        int seqs = spans.sequences();
        float[][] packed = new float[seqs * kvHeads][];
        int[] taskStart = new int[seqs * kvHeads + 1];
        for (int pr = 0; pr < seqs * kvHeads; pr++) {
            int s = pr / kvHeads, kl = spans.keyLen()[s];
            boolean wide = rows4(Math.min(spans.queryLen()[s], bq) * group) > DOT_ROWS;
            if (wide && kl > 0) {
                packed[pr] = new float[(kl + BK - 1) / BK * BK * hd];
            }
            taskStart[pr + 1] = taskStart[pr] + (packed[pr] == null ? 0 : (kl + PACK_KEYS - 1) / PACK_KEYS);
        }
        int tasks = taskStart[seqs * kvHeads];
        if (tasks == 0) {
            return packed;
        }
        int[] taskPair = new int[tasks];
        for (int pr = 0; pr < seqs * kvHeads; pr++) {
            Arrays.fill(taskPair, taskStart[pr], taskStart[pr + 1], pr);
        }
        run(pool, threads, tasks, t -> {
            int pr = taskPair[t];
            int s = pr / kvHeads, ks = spans.keyStart()[s], kl = spans.keyLen()[s], kvCol = (pr % kvHeads) * hd;
            int from = (t - taskStart[pr]) * PACK_KEYS, to = Math.min(kl, from + PACK_KEYS);
            for (int c0 = from; c0 < to; c0 += BK) {
                packKeys(k.data, k.at(ks + c0, kvCol), k.cols, Math.min(BK, to - c0), hd, packed[pr], c0 * hd);
            }
        });
        return packed;
    }

    private static void run(WorkerPool pool, int threads, int tasks, java.util.function.IntConsumer body) {
        if (threads == 1) {
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
        } else {
            pool.forEach(tasks, body);
        }
    }

    /** Unnormalised softmax state of a tile's rows: running maximum, sum of exponentials and weighted values. */
    private static final class ForwardTile {
        final int rows;
        final int stride;
        final float[] max;
        final float[] sum;
        final float[] acc;

        ForwardTile(int rows, int rowsPad, int stride) {
            this.rows = rows;
            this.stride = stride;
            max = new float[rows];
            sum = new float[rows];
            acc = new float[rowsPad * stride];
            Arrays.fill(max, Float.NEGATIVE_INFINITY);
        }

        static ForwardTile merge(ForwardTile[] parts, int from, int to) {
            ForwardTile first = parts[from];
            if (to - from == 1) {
                return first;
            }
            ForwardTile m = new ForwardTile(first.rows, rows4(first.rows), first.stride);
            for (int r = 0; r < first.rows; r++) {
                float mx = Float.NEGATIVE_INFINITY;
                for (int p = from; p < to; p++) {
                    mx = Math.max(mx, parts[p].max[r]);
                }
                float sum = 0;
                for (int p = from; p < to; p++) {
                    ForwardTile part = parts[p];
                    if (part.sum[r] == 0) {
                        continue;
                    }
                    float w = (float) Math.exp(part.max[r] - mx);
                    sum += w * part.sum[r];
                    VectorOps.axpy(w, part.acc, r * part.stride, m.acc, r * m.stride, m.stride);
                }
                m.max[r] = mx;
                m.sum[r] = sum;
            }
            return m;
        }

        /** Writes the normalised rows (row r = query row j0 + r / group of query head g·group + r % group) and lse. */
        void write(CpuTensor out, CpuTensor lse, AttentionSpans spans, int s, int g, int j0, int group, int headDim) {
            int qs = spans.queryStart()[s];
            float[] od = out.data;
            for (int r = 0; r < rows; r++) {
                int row = qs + j0 + r / group, h = g * group + r % group;
                float inv = 1f / sum[r];
                int o = out.at(row, h * headDim), a = r * stride;
                for (int d = 0; d < headDim; d++) {
                    od[o + d] = acc[a + d] * inv;
                }
                if (lse != null) {
                    lse.data[lse.at(row, h)] = max[r] + (float) Math.log(sum[r]);
                }
            }
        }
    }

    /**
     * Softmax state of query rows {@code [j0, j1)} of sequence {@code s} for the query heads of kv head {@code g},
     * over keys {@code [cFrom, cTo)} ({@code cFrom} a multiple of {@link AttentionBlocks#BK}) clipped to what the
     * rows may see.
     */
    private static ForwardTile forwardTile(CpuTensor q, CpuTensor k, CpuTensor v, float[] kt, AttentionSpans spans, int s, int g,
                                           int j0, int j1, int cFrom, int cTo, int group, int hd, float scale) {
        int qs = spans.queryStart()[s], ql = spans.queryLen()[s], ks = spans.keyStart()[s], kl = spans.keyLen()[s];
        int rows = (j1 - j0) * group, rowsPad = rows4(rows);
        int hdPad = padded(hd), nvec = hdPad / VL;
        float[] qd = q.data, kd = k.data, vd = v.data;
        ForwardTile tile = new ForwardTile(rows, rowsPad, hdPad);
        float[] m = tile.max, l = tile.sum, o = tile.acc;
        float[] qp = new float[rowsPad * hdPad], sc = new float[rowsPad * BK];
        float[] vp = hd == hdPad ? null : new float[BK * hdPad];
        for (int r = 0; r < rows; r++) {
            int src = q.at(qs + j0 + r / group, (g * group + r % group) * hd);
            for (int d = 0, dst = r * hdPad; d < hd; d++) {
                qp[dst + d] = qd[src + d] * scale;
            }
        }
        int kvCol = g * hd;
        int first = kl - ql + j0, last = kl - ql + j1 - 1;
        int end = Math.min(cTo, last + 1);
        for (int c0 = cFrom; c0 < end; c0 += BK) {
            int n = Math.min(BK, end - c0);
            if (kt == null) {
                scoreDots(qp, hdPad, rowsPad, kd, k.at(ks + c0, kvCol), k.cols, n, hd, sc);
            } else {
                scoreTile(qp, hdPad, rowsPad, kt, c0 * hd, hd, sc);
            }
            onlineSoftmax(sc, rows, group, first, c0, m, l, o, hdPad);
            Arrays.fill(sc, rows * BK, rowsPad * BK, 0f);
            if (hd == hdPad) {
                // whole vectors per row: values straight from v
                accumulate(sc, 0, BK, 1, rowsPad, n, vd, v.at(ks + c0, kvCol), v.cols, nvec, o, 0, hdPad);
            } else {
                for (int c = 0; c < n; c++) {
                    System.arraycopy(vd, v.at(ks + c0 + c, kvCol), vp, c * hdPad, hd);
                }
                accumulate(sc, 0, BK, 1, rowsPad, n, vp, 0, hdPad, nvec, o, 0, hdPad);
            }
        }
        return tile;
    }

    /**
     * Turns score rows of key block {@code c0} into exponentials against each row's updated running maximum, updates
     * the running sums and rescales the accumulated rows when their maximum moved. Row r sits at key position
     * {@code first + r / group}; later keys are masked.
     */
    private static void onlineSoftmax(float[] sc, int rows, int group, int first, int c0, float[] m, float[] l,
                                      float[] o, int stride) {
        boolean masked = c0 + BK - 1 > first;
        FloatVector negInf = FloatVector.broadcast(SP, Float.NEGATIVE_INFINITY);
        for (int r = 0; r < rows; r++) {
            int at = r * BK;
            FloatVector s0 = FloatVector.fromArray(SP, sc, at), s1 = FloatVector.fromArray(SP, sc, at + VL);
            if (masked) {
                float lim = first + r / group - c0;
                s0 = s0.blend(negInf, IOTA.compare(VectorOperators.GT, lim));
                s1 = s1.blend(negInf, IOTA.compare(VectorOperators.GT, lim - VL));
            }
            float blockMax = s0.max(s1).reduceLanes(VectorOperators.MAX);
            if (blockMax == Float.NEGATIVE_INFINITY) {
                Arrays.fill(sc, at, at + BK, 0f);
                continue;
            }
            float mOld = m[r], mNew = Math.max(mOld, blockMax);
            FloatVector mv = FloatVector.broadcast(SP, mNew);
            FloatVector e0 = VectorOps.exp(s0.sub(mv)), e1 = VectorOps.exp(s1.sub(mv));
            e0.intoArray(sc, at);
            e1.intoArray(sc, at + VL);
            float corr = mOld == mNew ? 1f : (float) Math.exp(mOld - mNew);
            l[r] = l[r] * corr + VectorOps.sum(e0.add(e1));
            m[r] = mNew;
            if (corr != 1f) {
                for (int i = r * stride, e = i + stride; i < e; i += VL) {
                    FloatVector.fromArray(SP, o, i).mul(corr).intoArray(o, i);
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
        int group = qHeads / kvHeads;
        int bq = blockRows(group);
        int pairs = seqs * kvHeads;
        int busyPairs = 0;
        for (int s = 0; s < seqs; s++) {
            busyPairs += spans.queryLen()[s] > 0 ? kvHeads : 0;
        }
        boolean serial = keyRangesOverlap(spans); // two sequences sharing key rows would race on dk/dv
        int threads = serial ? 1 : pool.threads();
        // with fewer (sequence, kv head) pairs than threads to keep busy, split each pair's query tiles into parts
        // of equal causal work, each with private dk/dv sums that are added in part order afterwards
        int wantParts = threads == 1 || busyPairs == 0 || busyPairs >= 2 * threads ? 1
                : (2 * threads + busyPairs - 1) / busyPairs;
        int[] partStart = new int[pairs + 1];
        int[][] tileBounds = new int[pairs][];
        for (int pr = 0; pr < pairs; pr++) {
            int ql = spans.queryLen()[pr / kvHeads];
            int tiles = (ql + bq - 1) / bq;
            tileBounds[pr] = splitTiles(tiles, Math.min(wantParts, tiles), bq, spans.keyLen()[pr / kvHeads] - ql);
            partStart[pr + 1] = partStart[pr] + tileBounds[pr].length - 1;
        }
        int parts = partStart[pairs];
        long[] sorted = new long[parts];
        for (int pr = 0, i = 0; pr < pairs; pr++) {
            int s = pr / kvHeads;
            for (int p = 0; p < tileBounds[pr].length - 1; p++, i++) {
                int lastRow = Math.min(spans.queryLen()[s], tileBounds[pr][p + 1] * bq);
                int firstRow = tileBounds[pr][p] * bq;
                long work = (long) (lastRow - firstRow) * (spans.keyLen()[s] - spans.queryLen()[s] + lastRow);
                sorted[i] = ((Long.MAX_VALUE >>> 32) - Math.min(work, Integer.MAX_VALUE)) << 32 | i;
            }
        }
        Arrays.sort(sorted);
        int[] partPair = new int[parts];
        for (int pr = 0; pr < pairs; pr++) {
            Arrays.fill(partPair, partStart[pr], partStart[pr + 1], pr);
        }
        int hdPad = padded(headDim);
        float[][] dkParts = new float[parts][], dvParts = new float[parts][];
        run(pool, threads, parts, i -> {
            int part = (int) sorted[i];
            int pr = partPair[part];
            int s = pr / kvHeads, g = pr % kvHeads, p = part - partStart[pr];
            int klPad = (spans.keyLen()[s] + BK - 1) / BK * BK;
            float[] dkAcc = new float[klPad * hdPad], dvAcc = new float[klPad * hdPad];
            backwardTiles(dOut, q, k, v, out, lse, spans, s, g, tileBounds[pr][p], tileBounds[pr][p + 1], qHeads,
                    kvHeads, headDim, scale, dq, dkAcc, dvAcc);
            if (partStart[pr + 1] - partStart[pr] == 1) {
                addKeyRows(dkAcc, dvAcc, spans, s, g, headDim, dk, dv);
            } else {
                dkParts[part] = dkAcc;
                dvParts[part] = dvAcc;
            }
        });
        if (parts > pairs) {
            run(pool, threads, pairs, pr -> {
                if (partStart[pr + 1] - partStart[pr] == 1) {
                    return; // added by its only part
                }
                for (int part = partStart[pr]; part < partStart[pr + 1]; part++) {
                    addKeyRows(dkParts[part], dvParts[part], spans, pr / kvHeads, pr % kvHeads, headDim, dk, dv);
                }
            });
        }
    }

    /**
     * Bounds of {@code parts} runs of query tiles with about equal causal work (tile i of {@code bq} rows sees about
     * {@code offset + (i+1)·bq} keys).
     */
    private static int[] splitTiles(int tiles, int parts, int bq, int offset) {
        if (parts <= 1) {
            return new int[]{0, tiles};
        }
        double total = 0;
        for (int i = 0; i < tiles; i++) {
            total += offset + (i + 1.0) * bq;
        }
        int[] bounds = new int[parts + 1];
        double acc = 0;
        int p = 1;
        for (int i = 0; i < tiles && p < parts; i++) {
            acc += offset + (i + 1.0) * bq;
            if (acc >= total * p / parts) {
                bounds[p++] = i + 1;
            }
        }
        while (p <= parts) {
            bounds[p++] = tiles;
        }
        // drop empty runs
        int n = 1;
        for (int i = 1; i <= parts; i++) {
            if (bounds[i] > bounds[n - 1]) {
                bounds[n++] = bounds[i];
            }
        }
        return Arrays.copyOf(bounds, n);
    }

    /** {@code dk, dv += } the per-key sums of sequence {@code s}, kv head {@code g} (rows padded to whole vectors). */
    private static void addKeyRows(float[] dkAcc, float[] dvAcc, AttentionSpans spans, int s, int g, int hd,
                                   CpuTensor dk, CpuTensor dv) {
        int ks = spans.keyStart()[s], kl = spans.keyLen()[s], hdPad = padded(hd), kvCol = g * hd;
        float[] dkd = dk.data, dvd = dv.data;
        for (int c = 0; c < kl; c++) {
            int dkIdx = dk.at(ks + c, kvCol), dvIdx = dv.at(ks + c, kvCol);
            for (int d = 0, a = c * hdPad; d < hd; d++) {
                dkd[dkIdx + d] += dkAcc[a + d];
                dvd[dvIdx + d] += dvAcc[a + d];
            }
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
     * Query tiles {@code [tileFrom, tileTo)} of sequence {@code s} for all query heads of kv head {@code g}: the only
     * writer of those dq rows; dk and dv of the sequence's keys accumulate into {@code dkAcc} and {@code dvAcc}
     * (rows of {@code padded(hd)}). Query tiles are the outer loop and key blocks the inner one, so dq accumulates over
     * the key blocks in a tile buffer.
     */
    private static void backwardTiles(CpuTensor dOut, CpuTensor q, CpuTensor k, CpuTensor v, CpuTensor out,
                                      CpuTensor lse, AttentionSpans spans, int s, int g, int tileFrom, int tileTo,
                                      int qHeads, int kvHeads, int hd, float scale, CpuTensor dq, float[] dkAcc,
                                      float[] dvAcc) {
        int qs = spans.queryStart()[s], ql = spans.queryLen()[s], ks = spans.keyStart()[s], kl = spans.keyLen()[s];
        if (ql == 0) {
            return;
        }
        int group = qHeads / kvHeads;
        int bq = blockRows(group);
        int hdPad = padded(hd), nvec = hdPad / VL;
        int kvCol = g * hd;
        float[] qd = q.data, kd = k.data, vd = v.data, dOd = dOut.data, od = out.data;
        int keys = kl - ql + Math.min(ql, tileTo * bq); // what the last row of these tiles sees
        int blocks = (keys + BK - 1) / BK;
        // keys and values that these tiles see, transposed per key block, and keys as padded rows
        float[] kt = new float[blocks * hd * BK], vt = new float[blocks * hd * BK], kp = new float[blocks * BK * hdPad];
        for (int c0 = 0, b = 0; c0 < keys; c0 += BK, b++) {
            int n = Math.min(BK, keys - c0);
            packKeys(kd, k.at(ks + c0, kvCol), k.cols, n, hd, kt, b * hd * BK);
            packKeys(vd, v.at(ks + c0, kvCol), v.cols, n, hd, vt, b * hd * BK);
        }
        for (int c = 0; c < keys; c++) {
            System.arraycopy(kd, k.at(ks + c, kvCol), kp, c * hdPad, hd);
        }
        int rowsPadMax = rows4(bq * group);
        float[] qp = new float[rowsPadMax * hdPad], dop = new float[rowsPadMax * hdPad], dqAcc = new float[rowsPadMax * hdPad];
        float[] sc = new float[rowsPadMax * BK], dp = new float[rowsPadMax * BK];
        float[] rowLse = new float[rowsPadMax], rowD = new float[rowsPadMax];
        for (int j0 = tileFrom * bq; j0 < Math.min(ql, tileTo * bq); j0 += bq) {
            int j1 = Math.min(ql, j0 + bq);
            int rows = (j1 - j0) * group, rowsPad = rows4(rows);
            Arrays.fill(qp, 0f);
            Arrays.fill(dop, 0f);
            Arrays.fill(dqAcc, 0f);
            for (int r = 0; r < rows; r++) {
                int row = qs + j0 + r / group, col = (g * group + r % group) * hd;
                int qIdx = q.at(row, col), doIdx = dOut.at(row, col);
                for (int d = 0, dst = r * hdPad; d < hd; d++) {
                    qp[dst + d] = qd[qIdx + d] * scale;
                }
                System.arraycopy(dOd, doIdx, dop, r * hdPad, hd);
                rowLse[r] = lse.data[lse.at(row, g * group + r % group)];
                rowD[r] = VectorOps.dot(dOd, doIdx, od, out.at(row, col), hd);
            }
            int first = kl - ql + j0, last = kl - ql + j1 - 1;
            for (int c0 = 0, b = 0; c0 <= last; c0 += BK, b++) {
                scoreTile(qp, hdPad, rowsPad, kt, b * hd * BK, hd, sc);
                scoreTile(dop, hdPad, rowsPad, vt, b * hd * BK, hd, dp);
                probabilities(sc, dp, rows, group, first, c0, rowLse, rowD);
                Arrays.fill(sc, rows * BK, rowsPad * BK, 0f);
                Arrays.fill(dp, rows * BK, rowsPad * BK, 0f);
                int kOff = c0 * hdPad;
                accumulate(sc, 0, 1, BK, BK, rowsPad, dop, 0, hdPad, nvec, dvAcc, kOff, hdPad);
                accumulate(dp, 0, 1, BK, BK, rowsPad, qp, 0, hdPad, nvec, dkAcc, kOff, hdPad);
                accumulate(dp, 0, BK, 1, rowsPad, BK, kp, kOff, hdPad, nvec, dqAcc, 0, hdPad);
            }
            float[] dqd = dq.data;
            for (int r = 0; r < rows; r++) {
                int dst = dq.at(qs + j0 + r / group, (g * group + r % group) * hd);
                for (int d = 0, a = r * hdPad; d < hd; d++) {
                    dqd[dst + d] += scale * dqAcc[a + d];
                }
            }
        }
    }

    /**
     * Packs {@code n} rows of {@code hd} values (row stride {@code stride}, from {@code src}) transposed into
     * {@code dst[off + d*BK + c]}, a few rows at a time so that each source row is read sequentially.
     */
    private static void packKeys(float[] a, int src, int stride, int n, int hd, float[] dst, int off) {
        int c = 0;
        for (; c + 4 <= n; c += 4) {
            int s0 = src + c * stride, s1 = s0 + stride, s2 = s1 + stride, s3 = s2 + stride;
            for (int d = 0, t = off + c; d < hd; d++, t += BK) {
                dst[t] = a[s0 + d];
                dst[t + 1] = a[s1 + d];
                dst[t + 2] = a[s2 + d];
                dst[t + 3] = a[s3 + d];
            }
        }
        for (; c < n; c++) {
            int s0 = src + c * stride;
            for (int d = 0, t = off + c; d < hd; d++, t += BK) {
                dst[t] = a[s0 + d];
            }
        }
    }

    /**
     * Recomputes probabilities {@code P = exp(S - lse)} of key block {@code c0} into {@code sc} and replaces the
     * products {@code dP = dO·vᵀ} in {@code dp} by {@code dS = P∘(dP - D)} (masked keys give zero in both).
     */
    private static void probabilities(float[] sc, float[] dp, int rows, int group, int first, int c0, float[] rowLse,
                                      float[] rowD) {
        boolean masked = c0 + BK - 1 > first;
        FloatVector negInf = FloatVector.broadcast(SP, Float.NEGATIVE_INFINITY);
        for (int r = 0; r < rows; r++) {
            int at = r * BK;
            FloatVector s0 = FloatVector.fromArray(SP, sc, at), s1 = FloatVector.fromArray(SP, sc, at + VL);
            if (masked) {
                float lim = first + r / group - c0;
                s0 = s0.blend(negInf, IOTA.compare(VectorOperators.GT, lim));
                s1 = s1.blend(negInf, IOTA.compare(VectorOperators.GT, lim - VL));
            }
            FloatVector lv = FloatVector.broadcast(SP, rowLse[r]), dd = FloatVector.broadcast(SP, rowD[r]);
            FloatVector p0 = VectorOps.exp(s0.sub(lv)), p1 = VectorOps.exp(s1.sub(lv));
            p0.intoArray(sc, at);
            p1.intoArray(sc, at + VL);
            p0.mul(FloatVector.fromArray(SP, dp, at).sub(dd)).intoArray(dp, at);
            p1.mul(FloatVector.fromArray(SP, dp, at + VL).sub(dd)).intoArray(dp, at + VL);
        }
    }
}
