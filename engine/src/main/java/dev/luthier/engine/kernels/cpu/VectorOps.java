package dev.luthier.engine.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** Small vectorised loops over float arrays shared by the kernels. */
final class VectorOps {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int L = S.length();

    private VectorOps() {
    }

    // Folds for foldSum(): lane i takes lane i + half, halving until one lane is left. Each is its own static final
    // field, a constant to the JIT: shuffles read from an array are not, and rearranging by them ran ~15x slower.
    private static final VectorShuffle<Float> F512_8 = fold(FloatVector.SPECIES_512, 8);
    private static final VectorShuffle<Float> F512_4 = fold(FloatVector.SPECIES_512, 4);
    private static final VectorShuffle<Float> F512_2 = fold(FloatVector.SPECIES_512, 2);
    private static final VectorShuffle<Float> F512_1 = fold(FloatVector.SPECIES_512, 1);
    private static final VectorShuffle<Float> F256_4 = fold(FloatVector.SPECIES_256, 4);
    private static final VectorShuffle<Float> F256_2 = fold(FloatVector.SPECIES_256, 2);
    private static final VectorShuffle<Float> F256_1 = fold(FloatVector.SPECIES_256, 1);
    private static final VectorShuffle<Float> F128_2 = fold(FloatVector.SPECIES_128, 2);
    private static final VectorShuffle<Float> F128_1 = fold(FloatVector.SPECIES_128, 1);

    private static VectorShuffle<Float> fold(VectorSpecies<Float> species, int half) {
        return VectorShuffle.iota(species, half, 1, true);
    }

    /**
     * With {@code -Dluthier.deterministic=true} the kernels' lane sums and exponentials give the same floats however
     * the JIT has compiled them, so a training run repeats bit for bit (measured: two builds of the demo's base
     * model, same seed, identical weights; without it they differ). It costs speed (the quick demo took 1.4x as
     * long), so it is off by default.
     */
    static final boolean DETERMINISTIC = Boolean.getBoolean("luthier.deterministic");

    /** Whether the JIT was told to inline the helpers below into their callers (see {@link ForcedInlining}). */
    static final boolean HELPERS_INLINED = DETERMINISTIC && ForcedInlining.install("dev/luthier/engine/kernels/cpu/VectorOps.*");

    /** The sum of the lanes: {@link #foldSum} in deterministic mode, else {@code reduceLanes(ADD)}. */
    static float sum(FloatVector v) {
        return DETERMINISTIC ? foldSum(v) : v.reduceLanes(VectorOperators.ADD);
    }

    /** {@code exp} per lane: {@link #polyExp} in deterministic mode, else {@code lanewise(EXP)}. */
    static FloatVector exp(FloatVector x) {
        return DETERMINISTIC ? polyExp(x) : x.lanewise(VectorOperators.EXP);
    }

    /**
     * The sum of the lanes in a fixed order (halves folded onto each other). {@code reduceLanes(ADD)} leaves the order
     * to the implementation, and HotSpot's compiled and interpreted code use different orders, so the same inputs
     * give different floats depending on when the JIT compiled a kernel: runs are not reproducible.
     */
    static float foldSum(FloatVector v) {
        switch (v.length()) {
            case 16 -> {
                v = v.add(v.rearrange(F512_8));
                v = v.add(v.rearrange(F512_4));
                v = v.add(v.rearrange(F512_2));
                v = v.add(v.rearrange(F512_1));
            }
            case 8 -> {
                v = v.add(v.rearrange(F256_4));
                v = v.add(v.rearrange(F256_2));
                v = v.add(v.rearrange(F256_1));
            }
            case 4 -> {
                v = v.add(v.rearrange(F128_2));
                v = v.add(v.rearrange(F128_1));
            }
            default -> {
                float s = 0;
                for (int i = 0; i < v.length(); i++) {
                    s += v.lane(i);
                }
                return s;
            }
        }
        return v.lane(0);
    }

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.42860682030941723212e-6f;
    private static final float ROUND = 12582912f; // 1.5 * 2^23: adding and subtracting it rounds to an integer

    /**
     * {@code exp(x)} per lane with lanewise arithmetic only (range reduction to {@code |r| <= ln2/2}, a degree-7
     * polynomial, scaling by {@code 2^n} through the exponent bits), within 2 ulp of {@code Math.exp} over
     * float's range; below about -87.3 it returns 0, above 88.7 infinity, and NaN stays NaN. Unlike
     * {@code lanewise(EXP)}, whose compiled form (SVML) and interpreted form differ in the last bits, it gives the
     * same floats however it runs.
     */
    static FloatVector polyExp(FloatVector x) {
        VectorSpecies<Float> sp = x.species();
        FloatVector xc = x.max(-87.33654f).min(88.72284f);
        FloatVector t = xc.mul(LOG2E).add(ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(sp, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(sp, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(sp, 1f / 5040f);
        p = p.fma(r, FloatVector.broadcast(sp, 1f / 720f));
        p = p.fma(r, FloatVector.broadcast(sp, 1f / 120f));
        p = p.fma(r, FloatVector.broadcast(sp, 1f / 24f));
        p = p.fma(r, FloatVector.broadcast(sp, 1f / 6f));
        p = p.fma(r, FloatVector.broadcast(sp, 0.5f));
        p = p.fma(r, FloatVector.broadcast(sp, 1f));
        p = p.fma(r, FloatVector.broadcast(sp, 1f));
        // 2^n split in two factors so that n = 128 (x near 88.7) and n = -126 stay representable
        // t = ROUND + n exactly, and in [2^23, 2^24) one unit is one step of the bits: n without a conversion
        IntVector ni = t.reinterpretAsInts().sub(Float.floatToRawIntBits(ROUND));
        IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
        FloatVector s1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector e = p.mul(s1).mul(s2);
        VectorMask<Float> under = x.lt(-87.33654f);
        VectorMask<Float> over = x.compare(VectorOperators.GT, 88.72284f);
        VectorMask<Float> nan = x.test(VectorOperators.IS_NAN);
        return e.blend(0f, under).blend(Float.POSITIVE_INFINITY, over).blend(x, nan);
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
        float s = sum(s0.add(s1));
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
            total += sum(s);
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
            s = s.add(exp(FloatVector.fromArray(S, a, off + i).sub(sh)));
        }
        float r = sum(s);
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
            FloatVector e = exp(FloatVector.fromArray(S, a, off + i).sub(sh));
            e.intoArray(a, off + i);
            s = s.add(e);
        }
        float r = sum(s);
        for (; i < len; i++) {
            float e = (float) Math.exp(a[off + i] - shift);
            a[off + i] = e;
            r += e;
        }
        return r;
    }
}
