package dev.luthier.engine.kernels.cpu;

import dev.luthier.engine.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.function.IntConsumer;

/**
 * The three matrix products, as one BLIS-style GEMM {@code C[M,N] = alpha * A[M,K] * B[K,N] (+ C)} over operands
 * that know how to pack themselves, plus streaming paths for few rows (decode), where packing the weight would
 * cost more than reading it once.
 *
 * <p>Blocking: per call, all of B (K x NC columns) is packed once into micro-panels of NR = two vectors of
 * columns, shared by every thread; then blocks of MC rows of A are packed into MR-row micro-panels and an MR x NR
 * micro-kernel runs over them, the row blocks being dynamic tasks. With 256-bit vectors (AVX2) the kernel is 4x16
 * (8 accumulators, 2 B loads, 4 broadcasts: 14 live registers; larger tiles spill under C2, see cpu-limits.md §3);
 * with 512-bit vectors (AVX-512, 32 registers) it is 8x32. The vector width is the platform's preferred one.
 */
final class Matmul {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /**
     * Rows of the micro-kernel. AVX-512 has 32 vector registers, room for an 8-row tile (16 accumulators), which
     * hides the 4-cycle FMA latency better; AVX2 has 16, where only the 4-row tile avoids spills.
     */
    static final int MR = Integer.getInteger("luthier.mr", L >= 16 ? 8 : 4) == 4 ? 4 : 8;
    static final int NR = 2 * L;
    /** Keeps a B micro-panel (KC x NR floats) at about 24 KB, so that it stays in L1 while A panels stream past. */
    static final int KC = Integer.getInteger("luthier.kc", 6144 / NR);
    /** One k-step of a packed A micro-panel (MR floats) as a single vector. */
    static final VectorSpecies<Float> A_ROW = MR == 8 ? FloatVector.SPECIES_256 : FloatVector.SPECIES_128;
    static final int MC = 64;
    static final int NC = 3072;
    /** Upper bound on the packed B block (K x NC floats). */
    static final int PACKED_B_FLOATS = 4 << 20;
    /** Below this many flops a product runs on the calling thread. */
    static final long PARALLEL_FLOPS = 1L << 20;
    /** Products with at most this many rows of activations stream the weight instead of packing it. */
    static final int STREAM_ROWS = 8;

    private Matmul() {
    }

    // ------------------------------------------------------------------ operands

    /** The left operand A[M,K] of the GEMM. */
    interface PanelsA {
        /** Packs rows [i0, i0+mc), columns [k0, k0+kc) into ceil(mc/4) micro-panels of kc*4 values (k-major), zero padded. */
        void pack(int i0, int mc, int k0, int kc, float[] dst);
    }

    /** The right operand B[K,N] of the GEMM. */
    interface PanelsB {
        /** Packs rows [k0, k0+kc), columns [j0, j0+nc) into ceil(nc/NR) micro-panels of kc*NR values (k-major), zero padded. */
        void pack(int k0, int kc, int j0, int nc, float[] dst, int dstOff, Scratch scratch);
    }

    /** A(i,k) = a[off + i*ld + k]. */
    record RowMajorA(float[] a, int off, int ld) implements PanelsA {
        @Override
        public void pack(int i0, int mc, int k0, int kc, float[] dst) {
            int p = 0;
            for (int ip = 0; ip < mc; ip += MR, p += kc * MR) {
                int rowsHere = Math.min(MR, mc - ip);
                for (int r = 0; r < MR; r++) {
                    if (r < rowsHere) {
                        int src = off + (i0 + ip + r) * ld + k0;
                        for (int k = 0; k < kc; k++) {
                            dst[p + k * MR + r] = a[src + k];
                        }
                    } else {
                        for (int k = 0; k < kc; k++) {
                            dst[p + k * MR + r] = 0f;
                        }
                    }
                }
            }
        }
    }

    /** A(i,k) = a[off + k*ld + i]: the transpose of a row-major matrix. */
    record TransposedA(float[] a, int off, int ld) implements PanelsA {
        @Override
        public void pack(int i0, int mc, int k0, int kc, float[] dst) {
            int p = 0;
            for (int ip = 0; ip < mc; ip += MR, p += kc * MR) {
                int rowsHere = Math.min(MR, mc - ip);
                int col = i0 + ip;
                if (rowsHere == MR) {
                    for (int k = 0; k < kc; k++) {
                        FloatVector.fromArray(A_ROW, a, off + (k0 + k) * ld + col).intoArray(dst, p + k * MR);
                    }
                } else {
                    for (int k = 0; k < kc; k++) {
                        int src = off + (k0 + k) * ld + col;
                        for (int r = 0; r < MR; r++) {
                            dst[p + k * MR + r] = r < rowsHere ? a[src + r] : 0f;
                        }
                    }
                }
            }
        }
    }

    /** B(k,j) = b[off + k*ld + j]. */
    record RowMajorB(float[] b, int off, int ld) implements PanelsB {
        @Override
        public void pack(int k0, int kc, int j0, int nc, float[] dst, int dstOff, Scratch scratch) {
            packRowMajor(b, off + k0 * ld + j0, ld, kc, nc, dst, dstOff);
        }
    }

    /** B(k,j) = w[off + j*ld + k]: the transpose of a row-major weight (the nn.Linear layout). */
    record TransposedB(float[] w, int off, int ld) implements PanelsB {
        @Override
        public void pack(int k0, int kc, int j0, int nc, float[] dst, int dstOff, Scratch scratch) {
            packTransposed(w, off + j0 * ld + k0, ld, kc, nc, dst, dstOff);
        }
    }

    /** B(k,j) = w(k,j) of a low-precision or mapped weight. */
    record MappedRowMajorB(MappedTensor w) implements PanelsB {
        @Override
        public void pack(int k0, int kc, int j0, int nc, float[] dst, int dstOff, Scratch scratch) {
            float[] rows = scratch.widened(kc * nc);
            for (int k = 0; k < kc; k++) {
                w.widenRow(k0 + k, j0, nc, rows, k * nc);
            }
            packRowMajor(rows, 0, nc, kc, nc, dst, dstOff);
        }
    }

    /** Rows of B per packed block: K split into equal blocks of at most KC. */
    static int kcMax(int k) {
        int kBlocks = (k + KC - 1) / KC;
        return (k + kBlocks - 1) / kBlocks;
    }

    /** B(k,j) = w(j,k) of a low-precision or mapped weight. */
    record MappedTransposedB(MappedTensor w) implements PanelsB {
        @Override
        public void pack(int k0, int kc, int j0, int nc, float[] dst, int dstOff, Scratch scratch) {
            float[] rows = scratch.widened(kc * nc);
            for (int j = 0; j < nc; j++) {
                w.widenRow(j0 + j, k0, kc, rows, j * kc);
            }
            packTransposed(rows, 0, kc, kc, nc, dst, dstOff);
        }
    }

    /** src(k,j) = b[start + k*ld + j] for k < kc, j < nc. */
    static void packRowMajor(float[] b, int start, int ld, int kc, int nc, float[] dst, int dstOff) {
        int p = dstOff;
        for (int jp = 0; jp < nc; jp += NR, p += kc * NR) {
            int colsHere = Math.min(NR, nc - jp);
            if (colsHere == NR) {
                for (int k = 0; k < kc; k++) {
                    int src = start + k * ld + jp;
                    FloatVector.fromArray(S, b, src).intoArray(dst, p + k * NR);
                    FloatVector.fromArray(S, b, src + L).intoArray(dst, p + k * NR + L);
                }
            } else {
                for (int k = 0; k < kc; k++) {
                    int src = start + k * ld + jp;
                    int d = p + k * NR;
                    for (int c = 0; c < NR; c++) {
                        dst[d + c] = c < colsHere ? b[src + c] : 0f;
                    }
                }
            }
        }
    }

    /** src(k,j) = w[start + j*ld + k] for k < kc, j < nc. */
    static void packTransposed(float[] w, int start, int ld, int kc, int nc, float[] dst, int dstOff) {
        int p = dstOff;
        for (int jp = 0; jp < nc; jp += NR, p += kc * NR) {
            int colsHere = Math.min(NR, nc - jp);
            for (int c = 0; c < NR; c++) {
                if (c < colsHere) {
                    int src = start + (jp + c) * ld;
                    for (int k = 0; k < kc; k++) {
                        dst[p + k * NR + c] = w[src + k];
                    }
                } else {
                    for (int k = 0; k < kc; k++) {
                        dst[p + k * NR + c] = 0f;
                    }
                }
            }
        }
    }

    /** Per-thread packing buffers, grown on demand. */
    static final class Scratch {
        private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);
        float[] a = new float[0];
        float[] b = new float[0];
        float[] widened = new float[0];
        final float[] edge = new float[MR * NR];

        static Scratch get() {
            return LOCAL.get();
        }

        float[] a(int n) {
            if (a.length < n) {
                a = new float[n];
            }
            return a;
        }

        float[] b(int n) {
            if (b.length < n) {
                b = new float[n];
            }
            return b;
        }

        float[] widened(int n) {
            if (widened.length < n) {
                widened = new float[n];
            }
            return widened;
        }
    }

    // ------------------------------------------------------------------ GEMM

    /** C[M,N] = alpha * A * B (+ C when accumulate), C at c[cOff + i*ldc + j]; a null pool runs on the caller. */
    static void gemm(WorkerPool pool, int m, int n, int k, PanelsA a, PanelsB b, float alpha, boolean accumulate,
                     float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
                }
            }
            return;
        }
        long flops = 2L * m * n * k;
        int threads = pool == null || flops < PARALLEL_FLOPS ? 1 : pool.threads();
        int kcMax = kcMax(k);
        // the packed B block holds all of K for NC columns; NC shrinks for very long K to bound its size
        int nc0 = Math.max(NR, Math.min(NC, (PACKED_B_FLOATS / k) / NR * NR));
        Scratch callerScratch = Scratch.get();
        float[] packedB = callerScratch.b(k * Math.min(nc0, roundUp(n, NR)));
        for (int jc = 0; jc < n; jc += nc0) {
            int nc = Math.min(nc0, n - jc);
            int ncPad = roundUp(nc, NR);
            int panels = ncPad / NR;
            int jcFinal = jc;
            // phase 1: pack B[0:K, jc:jc+nc] into micro-panels, block by block of KC rows
            int packGroups = threads == 1 ? 1 : Math.min(panels, 4 * threads);
            int[] packBounds = split(panels, packGroups, 1);
            IntConsumer packTask = t -> {
                Scratch scratch = Scratch.get();
                int q0 = packBounds[t], q1 = packBounds[t + 1];
                int j0 = jcFinal + q0 * NR, j1 = Math.min(jcFinal + nc, jcFinal + q1 * NR);
                for (int pc = 0, blk = 0; pc < k; pc += kcMax, blk++) {
                    int kc = Math.min(kcMax, k - pc);
                    b.pack(pc, kc, j0, j1 - j0, packedB, blk * kcMax * ncPad + q0 * kc * NR, scratch);
                }
            };
            run(pool, threads, packBounds.length - 1, packTask);
            // phase 2: blocks of MC rows (and, when rows are few, ranges of panels) as dynamic tasks
            int rowBlocks = (m + MC - 1) / MC;
            int panelGroups = threads == 1 ? 1 : Math.max(1, Math.min(panels, (4 * threads + rowBlocks - 1) / rowBlocks));
            int[] panelBounds = split(panels, panelGroups, 1);
            int groups = panelBounds.length - 1;
            IntConsumer computeTask = t -> {
                int ib = t / groups, g = t % groups;
                computeBlock(ib * MC, Math.min(m, ib * MC + MC), panelBounds[g], panelBounds[g + 1], jcFinal, nc, ncPad,
                        k, kcMax, a, packedB, alpha, accumulate, c, cOff, ldc);
            };
            run(pool, threads, rowBlocks * groups, computeTask);
        }
    }

    private static void run(WorkerPool pool, int threads, int tasks, IntConsumer task) {
        if (threads == 1) {
            for (int t = 0; t < tasks; t++) {
                task.accept(t);
            }
        } else {
            pool.forEach(tasks, task);
        }
    }

    /** Splits [0, total) into at most {@code parts} ranges whose inner bounds are multiples of {@code unit}. */
    static int[] split(int total, int parts, int unit) {
        int units = (total + unit - 1) / unit;
        parts = Math.max(1, Math.min(parts, units));
        int[] bounds = new int[parts + 1];
        for (int p = 1; p < parts; p++) {
            bounds[p] = (int) ((long) units * p / parts) * unit;
        }
        bounds[parts] = total;
        return bounds;
    }

    /** Rows [i0, i1) against micro-panels [q0, q1) of the packed B block at column jc. */
    private static void computeBlock(int i0, int i1, int q0, int q1, int jc, int nc, int ncPad, int k, int kcMax,
                                     PanelsA a, float[] packedB, float alpha, boolean accumulate, float[] c, int cOff,
                                     int ldc) {
        Scratch scratch = Scratch.get();
        int mc = i1 - i0;
        float[] ap = scratch.a(kcMax * roundUp(mc, MR));
        for (int pc = 0, blk = 0; pc < k; pc += kcMax, blk++) {
            int kc = Math.min(kcMax, k - pc);
            a.pack(i0, mc, pc, kc, ap);
            boolean acc = accumulate || pc > 0;
            int blockOff = blk * kcMax * ncPad;
            for (int q = q0; q < q1; q++) {
                int jr = q * NR;
                int nr = Math.min(NR, nc - jr);
                int bOff = blockOff + q * kc * NR;
                for (int ir = 0; ir < mc; ir += MR) {
                    int mr = Math.min(MR, mc - ir);
                    microKernel(ap, (ir / MR) * kc * MR, packedB, bOff, kc, c, cOff + (i0 + ir) * ldc + jc + jr, ldc,
                            mr, nr, alpha, acc, scratch.edge);
                }
            }
        }
    }

    static int roundUp(int x, int unit) {
        return (x + unit - 1) / unit * unit;
    }

    private static void microKernel(float[] ap, int aOff, float[] bp, int bOff, int kc, float[] c, int cIdx, int ldc,
                                    int mr, int nr, float alpha, boolean accumulate, float[] edge) {
        if (MR == 8) {
            microKernel8(ap, aOff, bp, bOff, kc, edge);
            storeTile(edge, c, cIdx, ldc, mr, nr, alpha, accumulate);
        } else {
            microKernel4(ap, aOff, bp, bOff, kc, c, cIdx, ldc, mr, nr, alpha, accumulate, edge);
        }
    }

    /** The 8 x NR tile into {@code tile} (row-major, NR wide); kept small so that C2 inlines every vector operation. */
    private static void microKernel8(float[] ap, int aOff, float[] bp, int bOff, int kc, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int kk = 0; kk < kc; kk++) {
            int bi = bOff + kk * NR;
            int ai = aOff + kk * 8;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, ap[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, ap[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, 2 * L);
        c11.intoArray(tile, 3 * L);
        c20.intoArray(tile, 4 * L);
        c21.intoArray(tile, 5 * L);
        c30.intoArray(tile, 6 * L);
        c31.intoArray(tile, 7 * L);
        c40.intoArray(tile, 8 * L);
        c41.intoArray(tile, 9 * L);
        c50.intoArray(tile, 10 * L);
        c51.intoArray(tile, 11 * L);
        c60.intoArray(tile, 12 * L);
        c61.intoArray(tile, 13 * L);
        c70.intoArray(tile, 14 * L);
        c71.intoArray(tile, 15 * L);
    }

    /** C rows += / = alpha * tile rows, for the mr x nr valid part of the tile. */
    private static void storeTile(float[] tile, float[] c, int cIdx, int ldc, int mr, int nr, float alpha,
                                  boolean accumulate) {
        if (nr == NR) {
            for (int r = 0; r < mr; r++) {
                storeRow(c, cIdx + r * ldc, FloatVector.fromArray(S, tile, r * NR),
                        FloatVector.fromArray(S, tile, r * NR + L), alpha, accumulate);
            }
            return;
        }
        for (int r = 0; r < mr; r++) {
            int row = cIdx + r * ldc;
            for (int j = 0; j < nr; j++) {
                float v = alpha * tile[r * NR + j];
                c[row + j] = accumulate ? c[row + j] + v : v;
            }
        }
    }

    private static void microKernel4(float[] ap, int aOff, float[] bp, int bOff, int kc, float[] c, int cIdx, int ldc,
                                     int mr, int nr, float alpha, boolean accumulate, float[] edge) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int kk = 0; kk < kc; kk++) {
            int bi = bOff + kk * NR;
            int ai = aOff + kk * 4;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        if (mr == 4 && nr == NR) {
            storeRow(c, cIdx, c00, c01, alpha, accumulate);
            storeRow(c, cIdx + ldc, c10, c11, alpha, accumulate);
            storeRow(c, cIdx + 2 * ldc, c20, c21, alpha, accumulate);
            storeRow(c, cIdx + 3 * ldc, c30, c31, alpha, accumulate);
        } else {
            c00.intoArray(edge, 0);
            c01.intoArray(edge, L);
            c10.intoArray(edge, NR);
            c11.intoArray(edge, NR + L);
            c20.intoArray(edge, 2 * NR);
            c21.intoArray(edge, 2 * NR + L);
            c30.intoArray(edge, 3 * NR);
            c31.intoArray(edge, 3 * NR + L);
            for (int r = 0; r < mr; r++) {
                int row = cIdx + r * ldc;
                for (int j = 0; j < nr; j++) {
                    float v = alpha * edge[r * NR + j];
                    c[row + j] = accumulate ? c[row + j] + v : v;
                }
            }
        }
    }

    private static void storeRow(float[] c, int idx, FloatVector lo, FloatVector hi, float alpha, boolean accumulate) {
        lo = lo.mul(alpha);
        hi = hi.mul(alpha);
        if (accumulate) {
            lo = lo.add(FloatVector.fromArray(S, c, idx));
            hi = hi.add(FloatVector.fromArray(S, c, idx + L));
        }
        lo.intoArray(c, idx);
        hi.intoArray(c, idx + L);
    }

    // ------------------------------------------------------------------ few rows: stream the weight

    /**
     * y[i,j] = alpha * sum_k x[i,k] * w[j,k] (+ y) for m <= STREAM_ROWS; w is read once, row by row, either from
     * {@code wArr} (F32 heap) or widened from {@code wMapped}.
     */
    static void streamNT(WorkerPool pool, int m, int n, int k, float[] x, int xOff, float[] wArr, int wOff,
                         MappedTensor wMapped, float alpha, boolean accumulate, float[] y, int yOff) {
        float[] xs = padRows(x, xOff, m, k, wMapped);
        long flops = 2L * m * n * k;
        int threads = flops < PARALLEL_FLOPS ? 1 : pool.threads();
        // chunks of about a megabyte of weights, taken dynamically: a preempted thread holds up only its chunk
        int parts = threads == 1 ? 1 : (int) Math.max(4L * threads, (long) n * k / (1 << 18));
        int[] bounds = split(n, parts, 4);
        pool.forEach(bounds.length - 1, t -> streamColumns(m, n, k, xs, wArr, wOff, wMapped, alpha, accumulate, y, yOff,
                bounds[t], bounds[t + 1]));
    }

    /**
     * x's m rows copied into rows padded to groups of 4, so that the kernel never branches on the row count, and
     * reordered as {@link Bf16Stream} reads them when the weight {@code w} (may be null) takes that path.
     */
    static float[] padRows(float[] x, int xOff, int m, int k, Tensor w) {
        int groups = (m + 3) / 4;
        float[] xs = new float[groups * 4 * k];
        System.arraycopy(x, xOff, xs, 0, m * k);
        return Bf16Stream.applies(w, k) ? Bf16Stream.pairRows(xs, k) : xs;
    }

    /** Columns {@code [j0, j1)} of {@link #streamNT} on the calling thread; {@code xs} from {@link #padRows} for the same weight. */
    static void streamColumns(int m, int n, int k, float[] xs, float[] wArr, int wOff, MappedTensor wMapped,
                              float alpha, boolean accumulate, float[] y, int yOff, int j0, int j1) {
        if (Bf16Stream.applies(wMapped, k)) {
            Bf16Stream.columns(m, n, k, xs, wMapped, alpha, accumulate, y, yOff, j0, j1);
            return;
        }
        int groups = (m + 3) / 4;
        float[] wRows;
        int wBase;
        // up to 3 rows: 4 weight rows per pass (1x4 and 2x4 kernels, no padded rows: experts decoding have 1-3 rows);
        // more rows: 2 weight rows against groups of 4 rows
        int wStep = m <= 3 ? 4 : 2;
        float[] widened = wMapped == null ? null : Scratch.get().widened(wStep * k);
        float[] out = new float[8];
        for (int j = j0; j < j1; j += wStep) {
            int jn = Math.min(wStep, j1 - j);
            if (wMapped != null) {
                wMapped.widen((long) j * k, jn * k, widened, 0);
                if (jn < wStep) {
                    java.util.Arrays.fill(widened, jn * k, wStep * k, 0f);
                }
                wRows = widened;
                wBase = 0;
            } else {
                wRows = wArr;
                wBase = wOff + j * k;
                if (jn < wStep) {
                    // copy the ragged end into a zero-padded buffer rather than reading past w
                    float[] pad = new float[wStep * k];
                    System.arraycopy(wArr, wBase, pad, 0, jn * k);
                    wRows = pad;
                    wBase = 0;
                }
            }
            if (m <= 3) {
                if (m >= 2) {
                    dot2x4(xs, 0, wRows, wBase, k, out);
                    for (int r = 0; r < 2; r++) {
                        for (int q = 0; q < jn; q++) {
                            store(y, yOff + r * n + j + q, alpha * out[r * 4 + q], accumulate);
                        }
                    }
                }
                if (m != 2) {
                    int r = m - 1;
                    dot1x4(xs, r * k, wRows, wBase, k, out);
                    for (int q = 0; q < jn; q++) {
                        store(y, yOff + r * n + j + q, alpha * out[q], accumulate);
                    }
                }
            } else {
                for (int g = 0; g < groups; g++) {
                    dot4x2(xs, g * 4 * k, wRows, wBase, k, out);
                    for (int r = 0; r < 4 && g * 4 + r < m; r++) {
                        int row = yOff + (g * 4 + r) * n + j;
                        for (int q = 0; q < jn; q++) {
                            store(y, row + q, alpha * out[r * 2 + q], accumulate);
                        }
                    }
                }
            }
        }
    }

    private static void store(float[] y, int idx, float v, boolean accumulate) {
        y[idx] = accumulate ? y[idx] + v : v;
    }

    /** out[q] = x[0..k) · w[wOff + q*k ..] for q < 4. */
    private static void dot1x4(float[] x, int xOff, float[] w, int wOff, int k, float[] out) {
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
        int kk = 0;
        int bound = S.loopBound(k);
        for (; kk < bound; kk += L) {
            FloatVector xv = FloatVector.fromArray(S, x, xOff + kk);
            s0 = xv.fma(FloatVector.fromArray(S, w, wOff + kk), s0);
            s1 = xv.fma(FloatVector.fromArray(S, w, wOff + k + kk), s1);
            s2 = xv.fma(FloatVector.fromArray(S, w, wOff + 2 * k + kk), s2);
            s3 = xv.fma(FloatVector.fromArray(S, w, wOff + 3 * k + kk), s3);
        }
        float r0 = VectorOps.sum(s0), r1 = VectorOps.sum(s1);
        float r2 = VectorOps.sum(s2), r3 = VectorOps.sum(s3);
        for (; kk < k; kk++) {
            float xv = x[xOff + kk];
            r0 += xv * w[wOff + kk];
            r1 += xv * w[wOff + k + kk];
            r2 += xv * w[wOff + 2 * k + kk];
            r3 += xv * w[wOff + 3 * k + kk];
        }
        out[0] = r0;
        out[1] = r1;
        out[2] = r2;
        out[3] = r3;
    }

    /** out[r*4+q] = x[xOff + r*k ..] · w[wOff + q*k ..] for r < 2, q < 4. */
    private static void dot2x4(float[] x, int xOff, float[] w, int wOff, int k, float[] out) {
        FloatVector s00 = FloatVector.zero(S), s01 = FloatVector.zero(S), s02 = FloatVector.zero(S), s03 = FloatVector.zero(S);
        FloatVector s10 = FloatVector.zero(S), s11 = FloatVector.zero(S), s12 = FloatVector.zero(S), s13 = FloatVector.zero(S);
        int kk = 0;
        int bound = S.loopBound(k);
        for (; kk < bound; kk += L) {
            FloatVector x0 = FloatVector.fromArray(S, x, xOff + kk);
            FloatVector x1 = FloatVector.fromArray(S, x, xOff + k + kk);
            FloatVector w0 = FloatVector.fromArray(S, w, wOff + kk);
            s00 = x0.fma(w0, s00);
            s10 = x1.fma(w0, s10);
            FloatVector w1 = FloatVector.fromArray(S, w, wOff + k + kk);
            s01 = x0.fma(w1, s01);
            s11 = x1.fma(w1, s11);
            FloatVector w2 = FloatVector.fromArray(S, w, wOff + 2 * k + kk);
            s02 = x0.fma(w2, s02);
            s12 = x1.fma(w2, s12);
            FloatVector w3 = FloatVector.fromArray(S, w, wOff + 3 * k + kk);
            s03 = x0.fma(w3, s03);
            s13 = x1.fma(w3, s13);
        }
        out[0] = VectorOps.sum(s00);
        out[1] = VectorOps.sum(s01);
        out[2] = VectorOps.sum(s02);
        out[3] = VectorOps.sum(s03);
        out[4] = VectorOps.sum(s10);
        out[5] = VectorOps.sum(s11);
        out[6] = VectorOps.sum(s12);
        out[7] = VectorOps.sum(s13);
        for (; kk < k; kk++) {
            float x0 = x[xOff + kk], x1 = x[xOff + k + kk];
            for (int q = 0; q < 4; q++) {
                float wv = w[wOff + q * k + kk];
                out[q] += x0 * wv;
                out[4 + q] += x1 * wv;
            }
        }
    }

    /** out[r*2+q] = x[xOff + r*k ..] · w[wOff + q*k ..] for r < 4, q < 2. */
    private static void dot4x2(float[] x, int xOff, float[] w, int wOff, int k, float[] out) {
        FloatVector s00 = FloatVector.zero(S), s01 = FloatVector.zero(S), s10 = FloatVector.zero(S), s11 = FloatVector.zero(S);
        FloatVector s20 = FloatVector.zero(S), s21 = FloatVector.zero(S), s30 = FloatVector.zero(S), s31 = FloatVector.zero(S);
        int kk = 0;
        int bound = S.loopBound(k);
        for (; kk < bound; kk += L) {
            FloatVector w0 = FloatVector.fromArray(S, w, wOff + kk);
            FloatVector w1 = FloatVector.fromArray(S, w, wOff + k + kk);
            FloatVector x0 = FloatVector.fromArray(S, x, xOff + kk);
            s00 = x0.fma(w0, s00);
            s01 = x0.fma(w1, s01);
            FloatVector x1 = FloatVector.fromArray(S, x, xOff + k + kk);
            s10 = x1.fma(w0, s10);
            s11 = x1.fma(w1, s11);
            FloatVector x2 = FloatVector.fromArray(S, x, xOff + 2 * k + kk);
            s20 = x2.fma(w0, s20);
            s21 = x2.fma(w1, s21);
            FloatVector x3 = FloatVector.fromArray(S, x, xOff + 3 * k + kk);
            s30 = x3.fma(w0, s30);
            s31 = x3.fma(w1, s31);
        }
        out[0] = VectorOps.sum(s00);
        out[1] = VectorOps.sum(s01);
        out[2] = VectorOps.sum(s10);
        out[3] = VectorOps.sum(s11);
        out[4] = VectorOps.sum(s20);
        out[5] = VectorOps.sum(s21);
        out[6] = VectorOps.sum(s30);
        out[7] = VectorOps.sum(s31);
        for (; kk < k; kk++) {
            float w0 = w[wOff + kk], w1 = w[wOff + k + kk];
            for (int r = 0; r < 4; r++) {
                float xv = x[xOff + r * k + kk];
                out[r * 2] += xv * w0;
                out[r * 2 + 1] += xv * w1;
            }
        }
    }

    /**
     * y[i,:] = alpha * sum_n a[i,n] * w[n,:] (+ y) for m <= STREAM_ROWS: the rows of w are split between tasks,
     * each summing into its own partial result, then the partials are added.
     */
    static void streamNN(WorkerPool pool, int m, int n, int k, float[] a, int aOff, float[] wArr, int wOff,
                         MappedTensor wMapped, float alpha, boolean accumulate, float[] y, int yOff) {
        long flops = 2L * m * n * k;
        int threads = flops < PARALLEL_FLOPS ? 1 : pool.threads();
        int[] bounds = split(n, threads, 1);
        int tasks = bounds.length - 1;
        float[][] partial = new float[tasks][];
        pool.forEach(tasks, t -> {
            float[] acc = new float[m * k];
            float[] coefs = new float[m];
            float[] widened = wMapped == null ? null : Scratch.get().widened(k);
            for (int row = bounds[t]; row < bounds[t + 1]; row++) {
                float[] wr;
                int wb;
                if (wMapped != null) {
                    wMapped.widen((long) row * k, k, widened, 0);
                    wr = widened;
                    wb = 0;
                } else {
                    wr = wArr;
                    wb = wOff + row * k;
                }
                if (m == 1) {
                    axpy(a[aOff + row], wr, wb, acc, 0, k);
                } else {
                    for (int i = 0; i < m; i++) {
                        coefs[i] = a[aOff + i * n + row];
                    }
                    accumulateRow(coefs, m, wr, wb, k, acc);
                }
            }
            partial[t] = acc;
        });
        for (int i = 0; i < m * k; i++) {
            float s = 0f;
            for (int t = 0; t < tasks; t++) {
                s += partial[t][i];
            }
            store(y, yOff + i, alpha * s, accumulate);
        }
    }

    /** acc[i*k + j] += coefs[i] * w[wOff + j] for i < m, j < k: each vector of the w row is loaded once for all rows. */
    private static void accumulateRow(float[] coefs, int m, float[] w, int wOff, int k, float[] acc) {
        int j = 0;
        int bound = S.loopBound(k);
        for (; j < bound; j += L) {
            FloatVector wv = FloatVector.fromArray(S, w, wOff + j);
            for (int i = 0; i < m; i++) {
                int idx = i * k + j;
                wv.fma(FloatVector.broadcast(S, coefs[i]), FloatVector.fromArray(S, acc, idx)).intoArray(acc, idx);
            }
        }
        for (; j < k; j++) {
            float wj = w[wOff + j];
            for (int i = 0; i < m; i++) {
                acc[i * k + j] += coefs[i] * wj;
            }
        }
    }

    /** y[yOff..+len) += alpha * x[xOff..+len). */
    static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len) {
        FloatVector av = FloatVector.broadcast(S, alpha);
        int i = 0;
        int bound = S.loopBound(len);
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, x, xOff + i).fma(av, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < len; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }
}
