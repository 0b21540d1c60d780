package dev.luthier.engine;

import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraConfig;
import dev.luthier.engine.loss.LossFunction;
import dev.luthier.engine.loss.LossFunctions;
import dev.luthier.engine.loss.LossInputs;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.RandomModel;
import dev.luthier.engine.model.TinyModels;
import dev.luthier.engine.model.Transformer;
import dev.luthier.engine.optim.ParameterSet;
import dev.luthier.engine.tensor.DType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several adapters (different ranks, seeds, targets and losses) and the bare base model share one forward/backward
 * pass: every example's log-probabilities and loss, and every adapter's gradients, must equal those of a pass that
 * holds that adapter's examples alone.
 */
class MultiTenantTest {
    private Arena arena;

    @AfterEach
    void closeArena() {
        if (arena != null) {
            arena.close();
        }
    }

    static List<ModelConfig> families() {
        return TinyModels.all();
    }

    /** A tiny model with three adapters whose B is random (so each differs from the base and the others). */
    private final class Setup {
        final Kernels k = new CpuKernels();
        final ModelConfig c;
        final Engine engine;
        final List<LoraAdapter> adapters = new ArrayList<>();
        /** Examples per tenant, in insertion order; key null is the base model. */
        final Map<LoraAdapter, List<TrainingExample>> examples = new LinkedHashMap<>();

        Setup(ModelConfig c) {
            this.c = c;
            arena = Arena.ofShared();
            engine = new Engine(new Transformer(c, RandomModel.weights(c, k, 21, 0.3, DType.F32, arena), k, 64));
            adapters.add(engine.createAdapter("ce", new LoraConfig(2, 16, 1, true, true, true)));
            adapters.add(engine.createAdapter("is", new LoraConfig(4, 32, 2, true, true, false)));
            adapters.add(engine.createAdapter("ppo", new LoraConfig(8, 8, 3, true, false, true)));
            SplittableRandom r = new SplittableRandom(99);
            for (LoraAdapter a : adapters) {
                randomizeB(a, r);
            }
            examples.put(adapters.get(0), examples(r, adapters.get(0), LossFunctions.create("cross_entropy", null), 3));
            examples.put(adapters.get(1), examples(r, adapters.get(1), LossFunctions.create("importance_sampling", null), 2));
            examples.put(adapters.get(2), examples(r, adapters.get(2), LossFunctions.create("ppo", null), 3));
            examples.put(null, examples(r, null, LossFunctions.create("cross_entropy", null), 2));
        }

        LoraAdapter extraAdapter() {
            LoraAdapter a = engine.createAdapter("idle", new LoraConfig(3, 32, 4, true, true, true));
            randomizeB(a, new SplittableRandom(5));
            return a;
        }

        void randomizeB(LoraAdapter a, SplittableRandom r) {
            for (ParameterSet.Entry e : a.parameters()) {
                if (e.name().endsWith("lora_B.weight")) {
                    float[] v = new float[(int) e.value().size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) ((2 * r.nextDouble() - 1) * 0.1);
                    }
                    k.copy(k.fromHost(v, e.value().rows(), e.value().cols()), e.value());
                }
            }
        }

        List<TrainingExample> examples(SplittableRandom r, LoraAdapter adapter, LossFunction loss, int count) {
            List<TrainingExample> out = new ArrayList<>();
            for (int n = 0; n < count; n++) {
                int len = 3 + r.nextInt(7);
                int[] in = new int[len];
                int[] target = new int[len];
                float[] w = new float[len];
                float[] q = new float[len];
                float[] adv = new float[len];
                for (int i = 0; i < len; i++) {
                    in[i] = r.nextInt(c.vocabSize());
                    target[i] = r.nextInt(c.vocabSize());
                    w[i] = (float) (r.nextDouble() * 1.5 - 0.25);
                    // Around the model's log-probabilities (≈ −log V), so that PPO clips some tokens and not others.
                    q[i] = (float) (-Math.log(c.vocabSize()) + (2 * r.nextDouble() - 1) * 0.6);
                    adv[i] = (float) (2 * r.nextDouble() - 1);
                }
                LossInputs li = loss.name().equals("cross_entropy") ? LossInputs.crossEntropy(target, w)
                        : LossInputs.policyGradient(target, q, adv);
                out.add(new TrainingExample(adapter, in, loss, li));
            }
            return out;
        }

        void zeroGradients(LoraAdapter... extra) {
            for (LoraAdapter a : adapters) {
                a.forEachGradient(g -> k.fill(g, 0f));
            }
            for (LoraAdapter a : extra) {
                a.forEachGradient(g -> k.fill(g, 0f));
            }
        }

        List<float[]> gradients(LoraAdapter a) {
            List<float[]> out = new ArrayList<>();
            a.forEachGradient(g -> out.add(k.toHost(g)));
            return out;
        }

        /** Every example of every tenant, round-robin across tenants so that no tenant's examples are adjacent. */
        List<TrainingExample> interleaved() {
            List<TrainingExample> out = new ArrayList<>();
            List<List<TrainingExample>> groups = new ArrayList<>(examples.values());
            // Start with the base model, then the adapters in reverse: an order unlike the alone runs'.
            java.util.Collections.reverse(groups);
            for (int i = 0; ; i++) {
                boolean any = false;
                for (List<TrainingExample> g : groups) {
                    if (i < g.size()) {
                        out.add(g.get(i));
                        any = true;
                    }
                }
                if (!any) {
                    return out;
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------ comparisons

    private static void assertLogprobsEqual(float[] actual, float[] expected, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            double tol = 1e-5 * Math.max(Math.abs(expected[i]), 1e-3);
            assertThat((double) Math.abs(actual[i] - expected[i])).as("%s[%d]: %s vs %s", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(tol);
        }
    }

    private static void assertLossEqual(double actual, double expected, String what) {
        assertThat(Math.abs(actual - expected)).as("%s: %s vs %s", what, actual, expected)
                .isLessThanOrEqualTo(1e-5 * Math.max(Math.abs(expected), 1e-2));
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    private static void assertGradientsEqual(List<float[]> actual, List<float[]> expected, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int t = 0; t < actual.size(); t++) {
            float[] a = actual.get(t);
            float[] e = expected.get(t);
            assertThat(a).hasSameSizeAs(e);
            double max = maxAbs(e);
            double diff = 0;
            for (int i = 0; i < a.length; i++) {
                diff = Math.max(diff, Math.abs((double) a[i] - e[i]));
            }
            assertThat(diff).as("%s tensor %d: max diff %s, max abs %s", what, t, diff, max)
                    .isLessThanOrEqualTo(1e-5 * max);
        }
    }

    private static boolean allZero(List<float[]> tensors) {
        for (float[] t : tensors) {
            if (maxAbs(t) != 0) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------ tests

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void mixedPassEqualsEachTenantAlone(ModelConfig c) {
        Setup s = new Setup(c);
        LoraAdapter idle = s.extraAdapter();

        // (a) Each tenant alone, from zero gradients.
        Map<TrainingExample, ExampleResult> alone = new IdentityHashMap<>();
        Map<LoraAdapter, List<float[]>> aloneGrads = new IdentityHashMap<>();
        for (Map.Entry<LoraAdapter, List<TrainingExample>> e : s.examples.entrySet()) {
            s.zeroGradients(idle);
            List<ExampleResult> results = s.engine.forwardBackward(e.getValue(), true);
            for (int i = 0; i < results.size(); i++) {
                alone.put(e.getValue().get(i), results.get(i));
            }
            if (e.getKey() != null) {
                aloneGrads.put(e.getKey(), s.gradients(e.getKey()));
                for (LoraAdapter other : s.adapters) {
                    if (other != e.getKey()) {
                        assertThat(allZero(s.gradients(other))).as("%s untouched by %s's pass", other.id(), e.getKey().id()).isTrue();
                    }
                }
            } else {
                for (LoraAdapter a : s.adapters) {
                    assertThat(allZero(s.gradients(a))).as("%s untouched by a base-model pass", a.id()).isTrue();
                }
            }
        }

        // The adapters really change the model: each adapter's logprobs differ from the base model's on the same tokens.
        for (LoraAdapter a : s.adapters) {
            TrainingExample ex = s.examples.get(a).getFirst();
            TrainingExample asBase = new TrainingExample(null, ex.inputTokens(), ex.loss(), ex.lossInputs());
            float[] base = s.engine.forwardBackward(List.of(asBase), false).getFirst().logprobs();
            double diff = 0;
            for (int i = 0; i < base.length; i++) {
                diff = Math.max(diff, Math.abs(base[i] - alone.get(ex).logprobs()[i]));
            }
            assertThat(diff).as("adapter %s differs from the base model", a.id()).isGreaterThan(1e-3);
            assertThat(allZero(aloneGrads.get(a))).as("adapter %s has gradients", a.id()).isFalse();
        }

        // (b) Everything in one interleaved pass.
        s.zeroGradients(idle);
        List<TrainingExample> mixed = s.interleaved();
        List<ExampleResult> results = s.engine.forwardBackward(mixed, true);
        assertThat(results).hasSize(mixed.size());
        for (int i = 0; i < mixed.size(); i++) {
            TrainingExample ex = mixed.get(i);
            String who = (ex.adapter() == null ? "base" : ex.adapter().id()) + " example " + i;
            assertLogprobsEqual(results.get(i).logprobs(), alone.get(ex).logprobs(), who + " logprobs");
            assertLossEqual(results.get(i).loss(), alone.get(ex).loss(), who + " loss");
        }
        for (LoraAdapter a : s.adapters) {
            assertGradientsEqual(s.gradients(a), aloneGrads.get(a), a.id() + " gradients");
        }
        // An adapter that is not in the pass keeps zero gradients.
        assertThat(allZero(s.gradients(idle))).as("adapter outside the pass").isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void lossesMatchTheirClosedFormsOnThePassLogprobs(ModelConfig c) {
        // The loss of each example, recomputed here from the pass's own logprobs, is the sum the engine reports.
        Setup s = new Setup(c);
        List<TrainingExample> mixed = s.interleaved();
        List<ExampleResult> results = s.engine.forwardBackward(mixed, false);
        int ppoClipped = 0;
        int ppoUnclipped = 0;
        for (int i = 0; i < mixed.size(); i++) {
            TrainingExample ex = mixed.get(i);
            LossInputs in = ex.lossInputs();
            float[] lp = results.get(i).logprobs();
            double expected = 0;
            for (int t = 0; t < lp.length; t++) {
                expected += switch (ex.loss().name()) {
                    case "cross_entropy" -> -(double) in.weights()[t] * lp[t];
                    case "importance_sampling" -> -Math.exp((double) lp[t] - in.samplingLogprobs()[t]) * in.advantages()[t];
                    case "ppo" -> {
                        double r = Math.exp((double) lp[t] - in.samplingLogprobs()[t]);
                        double a = in.advantages()[t];
                        if (Math.min(Math.max(r, 0.8), 1.2) * a < r * a) {
                            ppoClipped++;
                        } else {
                            ppoUnclipped++;
                        }
                        yield -Math.min(r * a, Math.min(Math.max(r, 0.8), 1.2) * a);
                    }
                    default -> throw new AssertionError(ex.loss().name());
                };
                assertThat(lp[t]).isNegative();
            }
            assertLossEqual(results.get(i).loss(), expected, ex.loss().name() + " example " + i);
        }
        // The PPO examples exercise both the clipped and the unclipped branch.
        assertThat(ppoClipped).isPositive();
        assertThat(ppoUnclipped).isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void gradientsAccumulateAcrossPasses(ModelConfig c) {
        Setup s = new Setup(c);
        List<TrainingExample> all = s.interleaved();
        List<TrainingExample> first = all.subList(0, all.size() / 2);
        List<TrainingExample> second = all.subList(all.size() / 2, all.size());

        s.zeroGradients();
        s.engine.forwardBackward(first, true);
        Map<LoraAdapter, List<float[]>> g1 = new IdentityHashMap<>();
        for (LoraAdapter a : s.adapters) {
            g1.put(a, s.gradients(a));
        }
        s.zeroGradients();
        s.engine.forwardBackward(second, true);
        Map<LoraAdapter, List<float[]>> g2 = new IdentityHashMap<>();
        for (LoraAdapter a : s.adapters) {
            g2.put(a, s.gradients(a));
        }

        s.zeroGradients();
        s.engine.forwardBackward(first, true);
        s.engine.forwardBackward(second, true);
        for (LoraAdapter a : s.adapters) {
            List<float[]> sum = new ArrayList<>();
            for (int t = 0; t < g1.get(a).size(); t++) {
                float[] x = g1.get(a).get(t);
                float[] y = g2.get(a).get(t);
                float[] z = new float[x.length];
                for (int i = 0; i < z.length; i++) {
                    z[i] = x[i] + y[i];
                }
                sum.add(z);
            }
            assertThat(allZero(sum)).isFalse();
            assertGradientsEqual(s.gradients(a), sum, a.id() + " accumulated gradients");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void forwardOnlyLeavesGradientsAloneAndGivesTheSameLogprobs(ModelConfig c) {
        Setup s = new Setup(c);
        List<TrainingExample> mixed = s.interleaved();
        s.zeroGradients();
        List<ExampleResult> withBackward = s.engine.forwardBackward(mixed, true);
        Map<LoraAdapter, List<float[]>> before = new IdentityHashMap<>();
        for (LoraAdapter a : s.adapters) {
            before.put(a, s.gradients(a));
            assertThat(allZero(before.get(a))).isFalse();
        }
        List<ExampleResult> forwardOnly = s.engine.forwardBackward(mixed, false);
        for (int i = 0; i < mixed.size(); i++) {
            assertLogprobsEqual(forwardOnly.get(i).logprobs(), withBackward.get(i).logprobs(), "example " + i);
            assertLossEqual(forwardOnly.get(i).loss(), withBackward.get(i).loss(), "example " + i);
        }
        for (LoraAdapter a : s.adapters) {
            List<float[]> after = s.gradients(a);
            for (int t = 0; t < after.size(); t++) {
                assertThat(after.get(t)).as("%s tensor %d unchanged by a forward-only pass", a.id(), t)
                        .containsExactly(before.get(a).get(t));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void softTargetExamplesShareAPassWithSingleTargetOnes(ModelConfig c) {
        Setup s = new Setup(c);
        LoraAdapter a = s.adapters.getFirst();
        SplittableRandom r = new SplittableRandom(17);
        int len = 5;
        int kk = 3;
        int[] in = new int[len];
        int[] soft = new int[len * kk];
        float[] w = new float[len * kk];
        for (int i = 0; i < len; i++) {
            in[i] = r.nextInt(c.vocabSize());
        }
        for (int i = 0; i < soft.length; i++) {
            soft[i] = r.nextInt(c.vocabSize());
            w[i] = (float) r.nextDouble();
        }
        TrainingExample softExample = new TrainingExample(a, in, LossFunctions.create("cross_entropy", null),
                new LossInputs(soft, kk, w, null, null, null, null));
        // The same (position, target) pairs as K separate single-target examples.
        List<TrainingExample> singles = new ArrayList<>();
        for (int j = 0; j < kk; j++) {
            int[] t = new int[len];
            float[] wj = new float[len];
            for (int i = 0; i < len; i++) {
                t[i] = soft[i * kk + j];
                wj[i] = w[i * kk + j];
            }
            singles.add(new TrainingExample(a, in, LossFunctions.create("cross_entropy", null), LossInputs.crossEntropy(t, wj)));
        }
        s.zeroGradients();
        List<ExampleResult> separate = s.engine.forwardBackward(singles, true);
        List<float[]> separateGrads = s.gradients(a);

        s.zeroGradients();
        List<TrainingExample> mixed = new ArrayList<>(s.interleaved());
        mixed.add(2, softExample);
        List<ExampleResult> results = s.engine.forwardBackward(mixed, true);
        ExampleResult got = results.get(2);
        assertThat(got.logprobs()).hasSize(len * kk);
        double lossSum = 0;
        for (int j = 0; j < kk; j++) {
            float[] expected = new float[len];
            float[] actual = new float[len];
            for (int i = 0; i < len; i++) {
                expected[i] = separate.get(j).logprobs()[i];
                actual[i] = got.logprobs()[i * kk + j];
            }
            assertLogprobsEqual(actual, expected, "soft target " + j);
            lossSum += separate.get(j).loss();
        }
        assertLossEqual(got.loss(), lossSum, "soft-target loss");

        // The single-target examples of the same pass are unaffected by the soft one's width.
        s.zeroGradients();
        List<TrainingExample> withoutSoft = s.interleaved();
        List<ExampleResult> plain = s.engine.forwardBackward(withoutSoft, true);
        List<float[]> plainGrads = s.gradients(a);
        for (int i = 0; i < withoutSoft.size(); i++) {
            int m = i < 2 ? i : i + 1;
            assertLogprobsEqual(results.get(m).logprobs(), plain.get(i).logprobs(), "example " + i);
            assertLossEqual(results.get(m).loss(), plain.get(i).loss(), "example " + i);
        }
        // Adapter a's gradients in the mixed pass = its single-target examples' + the soft example's.
        s.zeroGradients();
        s.engine.forwardBackward(mixed, true);
        List<float[]> mixedGrads = s.gradients(a);
        List<float[]> sum = new ArrayList<>();
        for (int t = 0; t < plainGrads.size(); t++) {
            float[] z = new float[plainGrads.get(t).length];
            for (int i = 0; i < z.length; i++) {
                z[i] = plainGrads.get(t)[i] + separateGrads.get(t)[i];
            }
            sum.add(z);
        }
        assertGradientsEqual(mixedGrads, sum, "soft + single-target gradients");
    }
}
