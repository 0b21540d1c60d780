package dev.luthier.engine.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Small vectorised loops over float arrays shared by the kernels. */
final class VectorOps {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int L = S.length();

    private VectorOps() {
    }

    static float dot(float[] a, int aOff, float[] b, int bOff, int len) {
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
        int i = 0;
        for (; i <= len - 2 * L; i += 2 * L) {
            s0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), s0);
            s1 = FloatVector.fromArray(S, a, aOff + i + L).fma(FloatVector.fromArray(S, b, bOff + i + L), s1);
        }
        for (; i <= len - L; i += L) {
            s0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), s0);
        }
        float s = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            s += a[aOff + i] * b[bOff + i];
        }
        return s;
    }

    /** y += alpha * x. */
    static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len) {
        Matmul.axpy(alpha, x, xOff, y, yOff, len);
    }

    /** Sum of squares accumulated per vector block in float and across blocks in double. */
    static double sumOfSquares(float[] a, int off, int len) {
        double total = 0;
        int i = 0;
        while (i <= len - L) {
            int end = Math.min(len - (len - i) % L, i + 1024);
            FloatVector s = FloatVector.zero(S);
            for (; i < end; i += L) {
                FloatVector v = FloatVector.fromArray(S, a, off + i);
                s = v.fma(v, s);
            }
            total += s.reduceLanes(VectorOperators.ADD);
        }
        for (; i < len; i++) {
            double v = a[off + i];
            total += v * v;
        }
        return total;
    }

    static float max(float[] a, int off, int len) {
        FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i <= len - L; i += L) {
            m = m.max(FloatVector.fromArray(S, a, off + i));
        }
        float r = m.reduceLanes(VectorOperators.MAX);
        for (; i < len; i++) {
            r = Math.max(r, a[off + i]);
        }
        return r;
    }

    /** Sum of exp(a[i] - shift). */
    static float sumExp(float[] a, int off, int len, float shift) {
        FloatVector sh = FloatVector.broadcast(S, shift);
        FloatVector s = FloatVector.zero(S);
        int i = 0;
        for (; i <= len - L; i += L) {
            s = s.add(FloatVector.fromArray(S, a, off + i).sub(sh).lanewise(VectorOperators.EXP));
        }
        float r = s.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            r += (float) Math.exp(a[off + i] - shift);
        }
        return r;
    }

    /** a[i] = exp(a[i] - shift); returns their sum. */
    static float expInPlace(float[] a, int off, int len, float shift) {
        FloatVector sh = FloatVector.broadcast(S, shift);
        FloatVector s = FloatVector.zero(S);
        int i = 0;
        for (; i <= len - L; i += L) {
            FloatVector e = FloatVector.fromArray(S, a, off + i).sub(sh).lanewise(VectorOperators.EXP);
            e.intoArray(a, off + i);
            s = s.add(e);
        }
        float r = s.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            float e = (float) Math.exp(a[off + i] - shift);
            a[off + i] = e;
            r += e;
        }
        return r;
    }
}
