package dev.luthier.engine.model;

import dev.luthier.engine.Engine;
import dev.luthier.engine.ExampleResult;
import dev.luthier.engine.TrainingExample;
import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraConfig;
import dev.luthier.engine.loss.CrossEntropyLoss;
import dev.luthier.engine.loss.ImportanceSamplingLoss;
import dev.luthier.engine.loss.LossFunctions;
import dev.luthier.engine.loss.LossInputs;
import dev.luthier.engine.loss.PpoLoss;
import dev.luthier.engine.optim.ParameterSet;
import dev.luthier.engine.tensor.DType;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Malformed training input is refused with an {@link IllegalArgumentException} that names the problem, and leaves
 * the engine (and the adapter's gradient accumulators) as they were: the next good pass equals one on a fresh engine.
 */
class BadInputTest {
    private static final int CONTEXT = 32;
    private static final long WEIGHT_SEED = 13;

    private final ModelConfig c = TinyModels.llama();
    private final Kernels k = new CpuKernels();
    private Arena arena;
    private Engine engine;
    private LoraAdapter adapter;
    /** The good pass's logprobs and gradients on a separate, untouched engine and adapter. */
    private List<float[]> referenceLogprobs;
    private List<float[]> referenceGradients;

    private Engine newEngine() {
        return new Engine(new Transformer(c, RandomModel.weights(c, k, WEIGHT_SEED, 0.3, DType.F32, arena), k, CONTEXT));
    }

    private LoraAdapter newAdapter(Engine e) {
        LoraAdapter a = e.createAdapter("a", new LoraConfig(3, 16, 5, true, true, true));
        SplittableRandom r = new SplittableRandom(6);
        for (ParameterSet.Entry p : a.parameters()) {
            if (p.name().endsWith("lora_B.weight")) {
                float[] v = new float[(int) p.value().size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) ((2 * r.nextDouble() - 1) * 0.1);
                }
                k.copy(k.fromHost(v, p.value().rows(), p.value().cols()), p.value());
            }
        }
        return a;
    }

    private List<TrainingExample> goodExamples(LoraAdapter a) {
        SplittableRandom r = new SplittableRandom(8);
        List<TrainingExample> out = new ArrayList<>();
        for (int len : new int[]{6, 4}) {
            int[] in = new int[len];
            int[] t = new int[len];
            float[] q = new float[len];
            float[] adv = new float[len];
            for (int i = 0; i < len; i++) {
                in[i] = r.nextInt(c.vocabSize());
                t[i] = r.nextInt(c.vocabSize());
                q[i] = -3.5f;
                adv[i] = (float) (r.nextDouble() - 0.5);
            }
            out.add(new TrainingExample(a, in, new CrossEntropyLoss(), LossInputs.crossEntropy(t, null)));
            out.add(new TrainingExample(null, in, new CrossEntropyLoss(), LossInputs.crossEntropy(t, null)));
            out.add(new TrainingExample(a, in, new ImportanceSamplingLoss(), LossInputs.policyGradient(t, q, adv)));
        }
        return out;
    }

    private List<float[]> gradients(LoraAdapter a) {
        List<float[]> out = new ArrayList<>();
        a.forEachGradient(g -> out.add(k.toHost(g)));
        return out;
    }

    @BeforeEach
    void setUp() {
        arena = Arena.ofShared();
        Engine fresh = newEngine();
        LoraAdapter freshAdapter = newAdapter(fresh);
        referenceLogprobs = new ArrayList<>();
        for (ExampleResult r : fresh.forwardBackward(goodExamples(freshAdapter), true)) {
            referenceLogprobs.add(r.logprobs());
        }
        referenceGradients = gradients(freshAdapter);
        engine = newEngine();
        adapter = newAdapter(engine);
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    /** The failure happened, the gradients are as before, and a good pass now equals the fresh engine's. */
    private void assertRejectedAndRecovers(ThrowableAssert.ThrowingCallable bad, String... messageParts) {
        List<float[]> before = gradients(adapter);
        var thrown = assertThatThrownBy(bad).isInstanceOf(IllegalArgumentException.class);
        for (String part : messageParts) {
            thrown.hasMessageContaining(part);
        }
        List<float[]> after = gradients(adapter);
        for (int t = 0; t < before.size(); t++) {
            assertThat(after.get(t)).as("gradient tensor %d untouched by the failed pass", t).containsExactly(before.get(t));
        }
        adapter.forEachGradient(g -> k.fill(g, 0f));
        List<ExampleResult> results = engine.forwardBackward(goodExamples(adapter), true);
        for (int i = 0; i < results.size(); i++) {
            float[] lp = results.get(i).logprobs();
            float[] ref = referenceLogprobs.get(i);
            assertThat(lp).hasSameSizeAs(ref);
            for (int j = 0; j < lp.length; j++) {
                assertThat((double) Math.abs(lp[j] - ref[j])).as("example %d logprob %d", i, j).isLessThanOrEqualTo(1e-6);
            }
        }
        List<float[]> g = gradients(adapter);
        for (int t = 0; t < g.size(); t++) {
            float[] ref = referenceGradients.get(t);
            double max = 0;
            double diff = 0;
            for (int i = 0; i < ref.length; i++) {
                max = Math.max(max, Math.abs(ref[i]));
                diff = Math.max(diff, Math.abs(g.get(t)[i] - ref[i]));
            }
            assertThat(diff).as("gradient tensor %d after recovery", t).isLessThanOrEqualTo(1e-5 * max);
        }
        // Leave non-zero gradients behind, so that the next failure's "untouched" check is meaningful.
    }

    private TrainingExample ce(LoraAdapter a, int[] in, int[] targets) {
        return new TrainingExample(a, in, new CrossEntropyLoss(), LossInputs.crossEntropy(targets, null));
    }

    @Test
    void inputTokenOutsideTheVocabulary() {
        int v = c.vocabSize();
        for (boolean backward : new boolean[]{true, false}) {
            for (int bad : new int[]{v, -1, Integer.MAX_VALUE}) {
                List<TrainingExample> examples = new ArrayList<>(goodExamples(adapter));
                examples.add(ce(adapter, new int[]{1, bad, 2}, new int[]{0, 0, 0}));
                assertRejectedAndRecovers(() -> engine.forwardBackward(examples, backward),
                        "token id " + bad, "outside the vocabulary [0, " + v + ")");
            }
        }
    }

    @Test
    void targetTokenOutsideTheVocabulary() {
        int v = c.vocabSize();
        // Give the adapter non-zero gradients first: a refused backward must not add to them.
        engine.forwardBackward(goodExamples(adapter), true);
        for (boolean backward : new boolean[]{true, false}) {
            for (int bad : new int[]{v, -3}) {
                List<TrainingExample> examples = new ArrayList<>(goodExamples(adapter));
                examples.add(1, ce(adapter, new int[]{1, 2, 3}, new int[]{4, bad, 5}));
                assertRejectedAndRecovers(() -> engine.forwardBackward(examples, backward),
                        "target token id " + bad, "outside the vocabulary");
            }
        }
        // Soft targets too.
        List<TrainingExample> soft = new ArrayList<>(goodExamples(adapter));
        soft.add(new TrainingExample(adapter, new int[]{1, 2}, new CrossEntropyLoss(),
                new LossInputs(new int[]{1, 2, 3, v + 1}, 2, new float[]{0.5f, 0.5f, 0.5f, 0.5f}, null, null, null, null)));
        assertRejectedAndRecovers(() -> engine.forwardBackward(soft, true), "target token id " + (v + 1));
    }

    @Test
    void nonFiniteLossInputs() {
        int[] t = {1, 2, 3};
        assertRejectedAndRecovers(() -> LossInputs.crossEntropy(t, new float[]{1f, Float.NaN, 1f}),
                "weights", "non-finite", "NaN");
        assertRejectedAndRecovers(() -> LossInputs.policyGradient(t, new float[]{-1f, -1f, -1f}, new float[]{0f, 0f, Float.NaN}),
                "advantages", "non-finite");
        assertRejectedAndRecovers(() -> LossInputs.policyGradient(t, new float[]{-1f, Float.NEGATIVE_INFINITY, -1f}, new float[3]),
                "logprobs", "non-finite");
    }

    @Test
    void lengthsOfModelInputAndLossInputsMustAgree() {
        assertRejectedAndRecovers(() -> ce(adapter, new int[]{1, 2, 3, 4}, new int[]{1, 2, 3}),
                "loss_fn_inputs have 3 positions", "model_input has 4 tokens");
        assertRejectedAndRecovers(() -> ce(null, new int[]{1, 2}, new int[]{1, 2, 3}),
                "loss_fn_inputs have 3 positions", "model_input has 2 tokens");
        // Soft targets count positions, not entries: 2 positions × 3 targets fit 2 input tokens, not 6.
        LossInputs soft = new LossInputs(new int[6], 3, null, null, null, null, null);
        new TrainingExample(adapter, new int[]{1, 2}, new CrossEntropyLoss(), soft);
        assertRejectedAndRecovers(() -> new TrainingExample(adapter, new int[6], new CrossEntropyLoss(), soft),
                "2 positions", "6 tokens");
        assertRejectedAndRecovers(() -> LossInputs.policyGradient(new int[]{1, 2, 3}, new float[3], new float[2]),
                "advantages has 2 entries, expected 3");
        assertRejectedAndRecovers(() -> LossInputs.crossEntropy(new int[]{1, 2, 3}, new float[4]),
                "weights has 4 entries, expected 3");
    }

    @Test
    void emptyInputs() {
        assertRejectedAndRecovers(() -> engine.forwardBackward(List.of(), true), "no examples");
        assertRejectedAndRecovers(() -> engine.forwardBackward(List.of(), false), "no examples");
        assertRejectedAndRecovers(() -> ce(adapter, new int[0], new int[0]), "model_input is empty");
    }

    @Test
    void missingLossInputs() {
        int[] in = {1, 2, 3};
        LossInputs onlyTargets = LossInputs.crossEntropy(new int[]{2, 3, 4}, null);
        assertRejectedAndRecovers(() -> new TrainingExample(adapter, in, new PpoLoss(0.8, 1.2), onlyTargets),
                "ppo", "loss_fn_inputs.logprobs");
        assertRejectedAndRecovers(() -> new TrainingExample(adapter, in, LossFunctions.create("dro", null),
                new LossInputs(new int[]{2, 3, 4}, 1, null, new float[3], null, null, null)), "dro", "advantages");
        assertRejectedAndRecovers(() -> new TrainingExample(adapter, new int[]{1}, new ImportanceSamplingLoss(),
                new LossInputs(new int[]{2, 3}, 2, null, new float[1], new float[1], null, null)),
                "importance_sampling", "one target per position");
    }

    @Test
    void sequenceLongerThanTheContext() {
        for (boolean backward : new boolean[]{true, false}) {
            List<TrainingExample> examples = new ArrayList<>(goodExamples(adapter));
            examples.add(ce(adapter, new int[CONTEXT + 1], new int[CONTEXT + 1]));
            assertRejectedAndRecovers(() -> engine.forwardBackward(examples, backward),
                    "position " + CONTEXT, "context of " + CONTEXT);
        }
        // Exactly the context fits.
        engine.forwardBackward(List.of(ce(adapter, new int[CONTEXT], new int[CONTEXT])), false);
    }
}
