package dev.luthier.engine.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class DeterministicVectorOpsTest {
    @Test
    void expIsWithinTwoUlpOfMathExpOverFloatsRange() {
        VectorSpecies<Float> sp = FloatVector.SPECIES_PREFERRED;
        Random rnd = new Random(3);
        float[] x = new float[sp.length()];
        float[] got = new float[sp.length()];
        for (int trial = 0; trial < 20000; trial++) {
            for (int i = 0; i < x.length; i++) {
                x[i] = trial < 10000 ? (float) (rnd.nextDouble() * 40 - 20) : (float) (rnd.nextDouble() * 175 - 87);
            }
            VectorOps.polyExp(FloatVector.fromArray(sp, x, 0)).intoArray(got, 0);
            for (int i = 0; i < x.length; i++) {
                double want = Math.exp(x[i]);
                if (want < Float.MIN_NORMAL || want > Float.MAX_VALUE) {
                    continue;
                }
                assertThat((double) got[i]).as("exp(%s)", x[i]).isCloseTo(want, org.assertj.core.data.Offset.offset(2.5 * Math.ulp((float) want)));
            }
        }
    }

    @Test
    void expEdgeCases() {
        VectorSpecies<Float> sp = FloatVector.SPECIES_128;
        float[] x = {Float.NEGATIVE_INFINITY, Float.NaN, Float.POSITIVE_INFINITY, 0f};
        float[] got = new float[4];
        VectorOps.polyExp(FloatVector.fromArray(sp, x, 0)).intoArray(got, 0);
        assertThat(got[0]).isZero();
        assertThat(got[1]).isNaN();
        assertThat(got[2]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(got[3]).isEqualTo(1f);
        x = new float[]{-100f, 100f, -87.5f, 88.7f};
        VectorOps.polyExp(FloatVector.fromArray(sp, x, 0)).intoArray(got, 0);
        assertThat(got[0]).isZero();
        assertThat(got[1]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(got[2]).isZero();
        assertThat((double) got[3]).isCloseTo(Math.exp(x[3]), org.assertj.core.data.Percentage.withPercentage(1e-4));
    }

    @Test
    void sumFoldsHalvesInAFixedOrder() {
        for (VectorSpecies<Float> sp : java.util.List.of(FloatVector.SPECIES_128, FloatVector.SPECIES_256, FloatVector.SPECIES_512)) {
            float[] v = new float[sp.length()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) Math.scalb(1.0, i * 3 - 20) * (i % 2 == 0 ? 1 : -1);
            }
            // the same fold written out on the host: v[i] += v[i + half], halving
            float[] f = v.clone();
            for (int half = f.length / 2; half >= 1; half /= 2) {
                float[] g = f.clone();
                for (int i = 0; i < f.length; i++) {
                    g[i] = f[i] + f[(i + half) % f.length];
                }
                f = g;
            }
            assertThat(VectorOps.foldSum(FloatVector.fromArray(sp, v, 0))).isEqualTo(f[0]);
        }
    }

    /**
     * The deterministic helpers are too large for the JIT to inline on its own, and a vector passed to a method that
     * is not inlined is boxed (measured: the training step 8x slower); the kernels ask the JVM to inline them.
     */
    @Test
    void theJvmTakesTheInliningDirectiveAndRefusesAMalformedOne() {
        assertThat(ForcedInlining.install("dev/luthier/engine/kernels/cpu/VectorOps.*")).isTrue();
        assertThat(ForcedInlining.install("a\" ] } not a pattern")).isFalse();
    }
}
