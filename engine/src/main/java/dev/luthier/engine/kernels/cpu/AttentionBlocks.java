package dev.luthier.engine.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked tile products for {@link Attention}. Every product broadcasts scalars of one operand and
 * accumulates whole vectors of the other with FMAs, so no product needs a horizontal reduction.
 *
 * <p>A score tile holds {@link #BK} keys per row as two vectors; the key block is packed transposed
 * ({@code [headDim][BK]}) so that the scores of all its keys for one row are vector lanes. Rows of row-major
 * operands are padded to a whole number of vectors ({@link #padded}) with zeros.
 */
final class AttentionBlocks {
    static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    static final int VL = SP.length();
    /** Keys per tile. */
    static final int BK = 2 * VL;
    /** With 32 vector registers (AVX-512, SVE, NEON) a 4×4-vector accumulator block fits; with 16 (AVX2) it spills. */
    private static final boolean WIDE = SP.vectorBitSize() >= 512;

    private AttentionBlocks() {
    }

    /** {@code n} rounded up to a whole number of vectors. */
    static int padded(int n) {
        return (n + VL - 1) / VL * VL;
    }

    /** {@code n} rounded up to a multiple of 4 (the row step of the tile products). */
    static int rows4(int n) {
        return (n + 3) & ~3;
    }

    /**
     * {@code c[r*BK + 0..BK) = Σ_{d<depth} a[r*aStride + d] · bt[btOff + d*BK + 0..BK)} for rows {@code r < rows}
     * ({@code rows} a multiple of 4).
     */
    static void scoreTile(float[] a, int aStride, int rows, float[] bt, int btOff, int depth, float[] c) {
        int r = 0;
        if (WIDE) {
            for (; r + 8 <= rows; r += 8) {
                scoreRows8(a, r * aStride, aStride, bt, btOff, depth, c, r * BK);
            }
        }
        for (; r < rows; r += 4) {
            int a0 = r * aStride, a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride;
            FloatVector c00 = FloatVector.zero(SP), c01 = c00, c10 = c00, c11 = c00;
            FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
            for (int d = 0, b = btOff; d < depth; d++, b += BK) {
                FloatVector b0 = FloatVector.fromArray(SP, bt, b);
                FloatVector b1 = FloatVector.fromArray(SP, bt, b + VL);
                FloatVector x = FloatVector.broadcast(SP, a[a0 + d]);
                c00 = b0.fma(x, c00);
                c01 = b1.fma(x, c01);
                x = FloatVector.broadcast(SP, a[a1 + d]);
                c10 = b0.fma(x, c10);
                c11 = b1.fma(x, c11);
                x = FloatVector.broadcast(SP, a[a2 + d]);
                c20 = b0.fma(x, c20);
                c21 = b1.fma(x, c21);
                x = FloatVector.broadcast(SP, a[a3 + d]);
                c30 = b0.fma(x, c30);
                c31 = b1.fma(x, c31);
            }
            int o = r * BK;
            c00.intoArray(c, o);
            c01.intoArray(c, o + VL);
            c10.intoArray(c, o + BK);
            c11.intoArray(c, o + BK + VL);
            c20.intoArray(c, o + 2 * BK);
            c21.intoArray(c, o + 2 * BK + VL);
            c30.intoArray(c, o + 3 * BK);
            c31.intoArray(c, o + 3 * BK + VL);
        }
    }

    /** Eight rows of {@link #scoreTile}: 16 accumulators, for machines with 32 vector registers. */
    private static void scoreRows8(float[] a, int a0, int aStride, float[] bt, int btOff, int depth, float[] c, int o) {
        int a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride, a4 = a3 + aStride, a5 = a4 + aStride;
        int a6 = a5 + aStride, a7 = a6 + aStride;
        FloatVector c00 = FloatVector.zero(SP), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        for (int d = 0, b = btOff; d < depth; d++, b += BK) {
            FloatVector b0 = FloatVector.fromArray(SP, bt, b);
            FloatVector b1 = FloatVector.fromArray(SP, bt, b + VL);
            FloatVector x = FloatVector.broadcast(SP, a[a0 + d]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(SP, a[a1 + d]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(SP, a[a2 + d]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(SP, a[a3 + d]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(SP, a[a4 + d]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(SP, a[a5 + d]);
            c50 = b0.fma(x, c50);
            c51 = b1.fma(x, c51);
            x = FloatVector.broadcast(SP, a[a6 + d]);
            c60 = b0.fma(x, c60);
            c61 = b1.fma(x, c61);
            x = FloatVector.broadcast(SP, a[a7 + d]);
            c70 = b0.fma(x, c70);
            c71 = b1.fma(x, c71);
        }
        c00.intoArray(c, o);
        c01.intoArray(c, o + VL);
        c10.intoArray(c, o + BK);
        c11.intoArray(c, o + BK + VL);
        c20.intoArray(c, o + 2 * BK);
        c21.intoArray(c, o + 2 * BK + VL);
        c30.intoArray(c, o + 3 * BK);
        c31.intoArray(c, o + 3 * BK + VL);
        c40.intoArray(c, o + 4 * BK);
        c41.intoArray(c, o + 4 * BK + VL);
        c50.intoArray(c, o + 5 * BK);
        c51.intoArray(c, o + 5 * BK + VL);
        c60.intoArray(c, o + 6 * BK);
        c61.intoArray(c, o + 6 * BK + VL);
        c70.intoArray(c, o + 7 * BK);
        c71.intoArray(c, o + 7 * BK + VL);
    }

    /**
     * Like {@link #scoreTile} but reading {@code n} key rows in place ({@code k[kOff + j*kStride + d]}) with one dot
     * product per (row, key): for tiles of a few rows (decoding) packing the keys transposed would cost more than
     * the products. Lanes {@code j >= n} of the score rows are zeroed.
     */
    static void scoreDots(float[] a, int aStride, int rows, float[] k, int kOff, int kStride, int n, int depth,
                          float[] c) {
        int full = depth - depth % VL;
        VectorMask<Float> tail = SP.indexInRange(full, depth);
        for (int r = 0; r < rows; r += 4) {
            int a0 = r * aStride, a1 = a0 + aStride, a2 = a1 + aStride, a3 = a2 + aStride;
            int o = r * BK;
            for (int j = 0; j < n; j++) {
                int kb = kOff + j * kStride;
                FloatVector s0 = FloatVector.zero(SP), s1 = s0, s2 = s0, s3 = s0;
                int d = 0;
                for (; d < full; d += VL) {
                    FloatVector kv = FloatVector.fromArray(SP, k, kb + d);
                    s0 = kv.fma(FloatVector.fromArray(SP, a, a0 + d), s0);
                    s1 = kv.fma(FloatVector.fromArray(SP, a, a1 + d), s1);
                    s2 = kv.fma(FloatVector.fromArray(SP, a, a2 + d), s2);
                    s3 = kv.fma(FloatVector.fromArray(SP, a, a3 + d), s3);
                }
                if (d < depth) {
                    FloatVector kv = FloatVector.fromArray(SP, k, kb + d, tail);
                    s0 = kv.fma(FloatVector.fromArray(SP, a, a0 + d), s0);
                    s1 = kv.fma(FloatVector.fromArray(SP, a, a1 + d), s1);
                    s2 = kv.fma(FloatVector.fromArray(SP, a, a2 + d), s2);
                    s3 = kv.fma(FloatVector.fromArray(SP, a, a3 + d), s3);
                }
                c[o + j] = VectorOps.sum(s0);
                c[o + BK + j] = VectorOps.sum(s1);
                c[o + 2 * BK + j] = VectorOps.sum(s2);
                c[o + 3 * BK + j] = VectorOps.sum(s3);
            }
            if (n < BK) {
                for (int i = 0; i < 4; i++) {
                    java.util.Arrays.fill(c, o + i * BK + n, o + i * BK + BK, 0f);
                }
            }
        }
    }

    /**
     * {@code acc[accOff + m*accStride + 0..nvec*VL) += Σ_{i<n} a[aOff + m*am + i*ai] · b[bOff + i*bStride + 0..nvec*VL)}
     * for {@code m < mRows} ({@code mRows} a multiple of 4). With {@code (am, ai) = (BK, 1)} the scalar operand is a
     * score tile, with {@code (1, BK)} its transpose.
     */
    static void accumulate(float[] a, int aOff, int am, int ai, int mRows, int n, float[] b, int bOff, int bStride,
                           int nvec, float[] acc, int accOff, int accStride) {
        for (int m = 0; m < mRows; m += 4) {
            int am0 = aOff + m * am;
            int acc0 = accOff + m * accStride;
            int v = 0;
            if (WIDE) {
                for (; v + 4 <= nvec; v += 4) {
                    acc4x4(a, am0, am, ai, n, b, bOff + v * VL, bStride, acc, acc0 + v * VL, accStride);
                }
            }
            for (; v + 2 <= nvec; v += 2) {
                acc4x2(a, am0, am, ai, n, b, bOff + v * VL, bStride, acc, acc0 + v * VL, accStride);
            }
            for (; v < nvec; v++) {
                acc4x1(a, am0, am, ai, n, b, bOff + v * VL, bStride, acc, acc0 + v * VL, accStride);
            }
        }
    }

    private static void acc4x4(float[] a, int a0, int am, int ai, int n, float[] b, int bOff, int bStride,
                               float[] acc, int o, int accStride) {
        int o1 = o + accStride, o2 = o1 + accStride, o3 = o2 + accStride;
        FloatVector c00 = FloatVector.fromArray(SP, acc, o), c01 = FloatVector.fromArray(SP, acc, o + VL);
        FloatVector c02 = FloatVector.fromArray(SP, acc, o + 2 * VL), c03 = FloatVector.fromArray(SP, acc, o + 3 * VL);
        FloatVector c10 = FloatVector.fromArray(SP, acc, o1), c11 = FloatVector.fromArray(SP, acc, o1 + VL);
        FloatVector c12 = FloatVector.fromArray(SP, acc, o1 + 2 * VL), c13 = FloatVector.fromArray(SP, acc, o1 + 3 * VL);
        FloatVector c20 = FloatVector.fromArray(SP, acc, o2), c21 = FloatVector.fromArray(SP, acc, o2 + VL);
        FloatVector c22 = FloatVector.fromArray(SP, acc, o2 + 2 * VL), c23 = FloatVector.fromArray(SP, acc, o2 + 3 * VL);
        FloatVector c30 = FloatVector.fromArray(SP, acc, o3), c31 = FloatVector.fromArray(SP, acc, o3 + VL);
        FloatVector c32 = FloatVector.fromArray(SP, acc, o3 + 2 * VL), c33 = FloatVector.fromArray(SP, acc, o3 + 3 * VL);
        int a1 = a0 + am, a2 = a1 + am, a3 = a2 + am;
        for (int i = 0, bi = bOff, ci = 0; i < n; i++, bi += bStride, ci += ai) {
            FloatVector b0 = FloatVector.fromArray(SP, b, bi), b1 = FloatVector.fromArray(SP, b, bi + VL);
            FloatVector b2 = FloatVector.fromArray(SP, b, bi + 2 * VL), b3 = FloatVector.fromArray(SP, b, bi + 3 * VL);
            FloatVector x = FloatVector.broadcast(SP, a[a0 + ci]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            c02 = b2.fma(x, c02);
            c03 = b3.fma(x, c03);
            x = FloatVector.broadcast(SP, a[a1 + ci]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            c12 = b2.fma(x, c12);
            c13 = b3.fma(x, c13);
            x = FloatVector.broadcast(SP, a[a2 + ci]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            c22 = b2.fma(x, c22);
            c23 = b3.fma(x, c23);
            x = FloatVector.broadcast(SP, a[a3 + ci]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            c32 = b2.fma(x, c32);
            c33 = b3.fma(x, c33);
        }
        c00.intoArray(acc, o);
        c01.intoArray(acc, o + VL);
        c02.intoArray(acc, o + 2 * VL);
        c03.intoArray(acc, o + 3 * VL);
        c10.intoArray(acc, o1);
        c11.intoArray(acc, o1 + VL);
        c12.intoArray(acc, o1 + 2 * VL);
        c13.intoArray(acc, o1 + 3 * VL);
        c20.intoArray(acc, o2);
        c21.intoArray(acc, o2 + VL);
        c22.intoArray(acc, o2 + 2 * VL);
        c23.intoArray(acc, o2 + 3 * VL);
        c30.intoArray(acc, o3);
        c31.intoArray(acc, o3 + VL);
        c32.intoArray(acc, o3 + 2 * VL);
        c33.intoArray(acc, o3 + 3 * VL);
    }

    private static void acc4x2(float[] a, int a0, int am, int ai, int n, float[] b, int bOff, int bStride,
                               float[] acc, int o, int accStride) {
        int o1 = o + accStride, o2 = o1 + accStride, o3 = o2 + accStride;
        FloatVector c00 = FloatVector.fromArray(SP, acc, o), c01 = FloatVector.fromArray(SP, acc, o + VL);
        FloatVector c10 = FloatVector.fromArray(SP, acc, o1), c11 = FloatVector.fromArray(SP, acc, o1 + VL);
        FloatVector c20 = FloatVector.fromArray(SP, acc, o2), c21 = FloatVector.fromArray(SP, acc, o2 + VL);
        FloatVector c30 = FloatVector.fromArray(SP, acc, o3), c31 = FloatVector.fromArray(SP, acc, o3 + VL);
        int a1 = a0 + am, a2 = a1 + am, a3 = a2 + am;
        for (int i = 0, bi = bOff, ci = 0; i < n; i++, bi += bStride, ci += ai) {
            FloatVector b0 = FloatVector.fromArray(SP, b, bi), b1 = FloatVector.fromArray(SP, b, bi + VL);
            FloatVector x = FloatVector.broadcast(SP, a[a0 + ci]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(SP, a[a1 + ci]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(SP, a[a2 + ci]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(SP, a[a3 + ci]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
        }
        c00.intoArray(acc, o);
        c01.intoArray(acc, o + VL);
        c10.intoArray(acc, o1);
        c11.intoArray(acc, o1 + VL);
        c20.intoArray(acc, o2);
        c21.intoArray(acc, o2 + VL);
        c30.intoArray(acc, o3);
        c31.intoArray(acc, o3 + VL);
    }

    private static void acc4x1(float[] a, int a0, int am, int ai, int n, float[] b, int bOff, int bStride,
                               float[] acc, int o, int accStride) {
        int o1 = o + accStride, o2 = o1 + accStride, o3 = o2 + accStride;
        FloatVector c0 = FloatVector.fromArray(SP, acc, o), c1 = FloatVector.fromArray(SP, acc, o1);
        FloatVector c2 = FloatVector.fromArray(SP, acc, o2), c3 = FloatVector.fromArray(SP, acc, o3);
        int a1 = a0 + am, a2 = a1 + am, a3 = a2 + am;
        for (int i = 0, bi = bOff, ci = 0; i < n; i++, bi += bStride, ci += ai) {
            FloatVector b0 = FloatVector.fromArray(SP, b, bi);
            c0 = b0.fma(FloatVector.broadcast(SP, a[a0 + ci]), c0);
            c1 = b0.fma(FloatVector.broadcast(SP, a[a1 + ci]), c1);
            c2 = b0.fma(FloatVector.broadcast(SP, a[a2 + ci]), c2);
            c3 = b0.fma(FloatVector.broadcast(SP, a[a3 + ci]), c3);
        }
        c0.intoArray(acc, o);
        c1.intoArray(acc, o1);
        c2.intoArray(acc, o2);
        c3.intoArray(acc, o3);
    }
}
