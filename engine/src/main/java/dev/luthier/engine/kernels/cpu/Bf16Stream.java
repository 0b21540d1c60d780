package dev.luthier.engine.kernels.cpu;

import dev.luthier.engine.tensor.DType;
import dev.luthier.engine.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Decode-sized products {@code y = x·Wᵀ} (a few rows of x) against BF16 weights, reading the weights in place instead
 * of widening them into a buffer first, which made BF16 decoding compute-bound at half the bytes of F32.
 * <p>
 * Two adjacent bf16 values read as one little-endian 32-bit lane hold element {@code 2i} in the low half and
 * {@code 2i+1} in the high half: shifting the lane left by 16 gives element {@code 2i} as a float, clearing the low
 * half gives element {@code 2i+1}. One load thus yields two float vectors with no shuffles, holding the even and the
 * odd elements of a block of {@code 2L}. The activations are reordered once per product to match
 * ({@link #pairRows}: per block, the even elements, then the odd ones), so each product is two FMAs.
 */
final class Bf16Stream {
    private static final VectorSpecies<Float> S = Matmul.S;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    private static final int L = S.length();
    /** Elements covered by one load: L lanes of two bf16 values. */
    static final int BLOCK = 2 * L;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final int HIGH_HALF = 0xFFFF0000;

    private Bf16Stream() {
    }

    /** Whether products against {@code w} with inner size {@code k} take this path. */
    static boolean applies(Tensor w, int k) {
        return w instanceof MappedTensor m && m.dtype == DType.BF16 && k > 0 && k % BLOCK == 0;
    }

    /** The rows of {@code xs} (row length {@code k}, a multiple of {@link #BLOCK}) reordered block by block: evens, then odds. */
    static float[] pairRows(float[] xs, int k) {
        float[] out = new float[xs.length];
        for (int b = 0; b < xs.length; b += BLOCK) {
            for (int i = 0; i < L; i++) {
                out[b + i] = xs[b + 2 * i];
                out[b + L + i] = xs[b + 2 * i + 1];
            }
        }
        return out;
    }

    /**
     * Columns {@code [j0, j1)} of {@code y = alpha·x·Wᵀ (+ y)} for {@code m ≤ 8} rows; {@code xp} holds the rows
     * padded to groups of 4 and reordered by {@link #pairRows}.
     */
    static void columns(int m, int n, int k, float[] xp, MappedTensor w, float alpha, boolean accumulate, float[] y,
                        int yOff, int j0, int j1) {
        MemorySegment seg = w.bytes;
        long rowBytes = 2L * k;
        float[] out = new float[8];
        // up to 3 rows: 4 weight rows per pass, row by row (a 2x4 kernel measured slower here), no padded rows computed;
        // more: 2 weight rows per group of 4 rows
        int wStep = m <= 3 ? 4 : 2;
        int j = j0;
        for (; j + wStep <= j1; j += wStep) {
            long wOff = j * rowBytes;
            if (m <= 3) {
                for (int r = 0; r < m; r++) {
                    dot1x4(xp, r * k, seg, wOff, rowBytes, k, out);
                    store(y, yOff + r * n + j, n, 1, 4, out, alpha, accumulate);
                }
            } else {
                for (int g = 0; g * 4 < m; g++) {
                    dot4x2(xp, g * 4 * k, seg, wOff, rowBytes, k, out);
                    store(y, yOff + g * 4 * n + j, n, Math.min(4, m - g * 4), 2, out, alpha, accumulate);
                }
            }
        }
        // a ragged end of fewer than wStep columns: one column at a time, never reading past the weight
        for (; j < j1; j++) {
            for (int r = 0; r < m; r++) {
                float v = alpha * dot1x1(xp, r * k, seg, j * rowBytes, k);
                int idx = yOff + r * n + j;
                y[idx] = accumulate ? y[idx] + v : v;
            }
        }
    }

    /** Writes {@code out[r*cols + q]} (scaled) to rows {@code r < rows} and columns {@code q < cols} of y from {@code idx}. */
    private static void store(float[] y, int idx, int n, int rows, int cols, float[] out, float alpha, boolean accumulate) {
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < cols; q++) {
                int at = idx + r * n + q;
                float v = alpha * out[r * cols + q];
                y[at] = accumulate ? y[at] + v : v;
            }
        }
    }

    private static FloatVector even(IntVector pair) {
        return pair.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static FloatVector odd(IntVector pair) {
        return pair.and(HIGH_HALF).reinterpretAsFloats();
    }

    private static IntVector load(MemorySegment seg, long byteOff) {
        return IntVector.fromMemorySegment(I, seg, byteOff, LE);
    }

    private static float dot1x1(float[] x, int xOff, MemorySegment w, long wOff, int k) {
        FloatVector s = FloatVector.zero(S);
        for (int kk = 0; kk < k; kk += BLOCK) {
            IntVector p = load(w, wOff + 2L * kk);
            s = FloatVector.fromArray(S, x, xOff + kk).fma(even(p), s);
            s = FloatVector.fromArray(S, x, xOff + kk + L).fma(odd(p), s);
        }
        return VectorOps.sum(s);
    }

    /** out[q] = row {@code xOff} of x · weight row q, q < 4; even and odd halves accumulate apart (two FMA chains). */
    private static void dot1x4(float[] x, int xOff, MemorySegment w, long wOff, long rowBytes, int k, float[] out) {
        FloatVector e0 = FloatVector.zero(S), e1 = FloatVector.zero(S), e2 = FloatVector.zero(S), e3 = FloatVector.zero(S);
        FloatVector o0 = FloatVector.zero(S), o1 = FloatVector.zero(S), o2 = FloatVector.zero(S), o3 = FloatVector.zero(S);
        for (int kk = 0; kk < k; kk += BLOCK) {
            FloatVector xe = FloatVector.fromArray(S, x, xOff + kk), xo = FloatVector.fromArray(S, x, xOff + kk + L);
            long o = wOff + 2L * kk;
            IntVector p0 = load(w, o), p1 = load(w, o + rowBytes), p2 = load(w, o + 2 * rowBytes), p3 = load(w, o + 3 * rowBytes);
            e0 = xe.fma(even(p0), e0);
            o0 = xo.fma(odd(p0), o0);
            e1 = xe.fma(even(p1), e1);
            o1 = xo.fma(odd(p1), o1);
            e2 = xe.fma(even(p2), e2);
            o2 = xo.fma(odd(p2), o2);
            e3 = xe.fma(even(p3), e3);
            o3 = xo.fma(odd(p3), o3);
        }
        out[0] = VectorOps.sum(e0.add(o0));
        out[1] = VectorOps.sum(e1.add(o1));
        out[2] = VectorOps.sum(e2.add(o2));
        out[3] = VectorOps.sum(e3.add(o3));
    }

    /** out[r*2+q] = row r of x (from {@code xOff}) · weight row q, r < 4, q < 2. */
    private static void dot4x2(float[] x, int xOff, MemorySegment w, long wOff, long rowBytes, int k, float[] out) {
        FloatVector s00 = FloatVector.zero(S), s01 = FloatVector.zero(S), s10 = FloatVector.zero(S), s11 = FloatVector.zero(S);
        FloatVector s20 = FloatVector.zero(S), s21 = FloatVector.zero(S), s30 = FloatVector.zero(S), s31 = FloatVector.zero(S);
        for (int kk = 0; kk < k; kk += BLOCK) {
            long o = wOff + 2L * kk;
            IntVector p0 = load(w, o), p1 = load(w, o + rowBytes);
            FloatVector w0e = even(p0), w0o = odd(p0), w1e = even(p1), w1o = odd(p1);
            FloatVector xe = FloatVector.fromArray(S, x, xOff + kk), xo = FloatVector.fromArray(S, x, xOff + kk + L);
            s00 = xo.fma(w0o, xe.fma(w0e, s00));
            s01 = xo.fma(w1o, xe.fma(w1e, s01));
            xe = FloatVector.fromArray(S, x, xOff + k + kk);
            xo = FloatVector.fromArray(S, x, xOff + k + kk + L);
            s10 = xo.fma(w0o, xe.fma(w0e, s10));
            s11 = xo.fma(w1o, xe.fma(w1e, s11));
            xe = FloatVector.fromArray(S, x, xOff + 2 * k + kk);
            xo = FloatVector.fromArray(S, x, xOff + 2 * k + kk + L);
            s20 = xo.fma(w0o, xe.fma(w0e, s20));
            s21 = xo.fma(w1o, xe.fma(w1e, s21));
            xe = FloatVector.fromArray(S, x, xOff + 3 * k + kk);
            xo = FloatVector.fromArray(S, x, xOff + 3 * k + kk + L);
            s30 = xo.fma(w0o, xe.fma(w0e, s30));
            s31 = xo.fma(w1o, xe.fma(w1e, s31));
        }
        out[0] = VectorOps.sum(s00);
        out[1] = VectorOps.sum(s01);
        out[2] = VectorOps.sum(s10);
        out[3] = VectorOps.sum(s11);
        out[4] = VectorOps.sum(s20);
        out[5] = VectorOps.sum(s21);
        out[6] = VectorOps.sum(s30);
        out[7] = VectorOps.sum(s31);
    }
}
