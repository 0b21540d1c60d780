package dev.luthier.cookbook.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.engine.Engine;
import dev.luthier.engine.ExampleResult;
import dev.luthier.engine.TrainingExample;
import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraKey;
import dev.luthier.engine.lora.LoraPair;
import dev.luthier.engine.lora.PeftAdapter;
import dev.luthier.engine.lora.PeftAdapterFiles;
import dev.luthier.engine.lora.PeftAdapters;
import dev.luthier.engine.loss.CrossEntropyLoss;
import dev.luthier.engine.loss.LossInputs;
import dev.luthier.engine.model.HfModelWriter;
import dev.luthier.engine.model.LoadedModel;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.ModelFamily;
import dev.luthier.engine.weights.ModelWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A merged model must compute what the engine computes for base + adapter. */
class LoraMergeTest {
    private static final int VOCAB = 64;
    private static final int LAYERS = 2;
    private static final List<String> MODULES = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    private static ModelConfig model(boolean tied) {
        return ModelConfig.dense(ModelFamily.QWEN3, VOCAB, 32, 64, LAYERS, 4, 2, 8, 10000, tied);
    }

    /** A random adapter on every module of every layer and on lm_head. */
    private static PeftAdapter adapter(ModelConfig c, int rank, double alpha, boolean rslora, long seed) {
        Random random = new Random(seed);
        int hidden = c.hiddenSize();
        int q = c.numHeads() * c.headDim();
        int kv = c.numKvHeads() * c.headDim();
        int inter = c.intermediateSize();
        Map<String, int[]> inOut = Map.of("q_proj", new int[]{hidden, q}, "k_proj", new int[]{hidden, kv},
                "v_proj", new int[]{hidden, kv}, "o_proj", new int[]{q, hidden}, "gate_proj", new int[]{hidden, inter},
                "up_proj", new int[]{hidden, inter}, "down_proj", new int[]{inter, hidden});
        Map<LoraKey, LoraPair> pairs = new LinkedHashMap<>();
        for (int layer = 0; layer < LAYERS; layer++) {
            for (String m : MODULES) {
                int[] io = inOut.get(m);
                pairs.put(LoraKey.of(layer, m), pair(random, rank, io[0], io[1]));
            }
        }
        pairs.put(LoraKey.lmHead(), pair(random, rank, hidden, VOCAB));
        List<String> targets = new ArrayList<>(MODULES);
        targets.add("lm_head");
        return new PeftAdapter(rank, alpha, rslora, targets, "tiny", pairs);
    }

    private static LoraPair pair(Random random, int rank, int in, int out) {
        float[] a = new float[rank * in];
        float[] b = new float[out * rank];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (random.nextGaussian() * 0.2);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (random.nextGaussian() * 0.2);
        }
        return new LoraPair(a, rank, in, b, out, rank);
    }

    /** Log-probabilities of several target sequences after one input, so many vocabulary entries are compared. */
    private static float[][] logprobs(Path modelDir, Path adapterDir) throws Exception {
        CpuKernels kernels = new CpuKernels();
        try (LoadedModel loaded = LoadedModel.load(modelDir, kernels, 0)) {
            LoraAdapter lora = adapterDir == null ? null
                    : PeftAdapters.toEngine(PeftAdapterFiles.read(adapterDir), "a", loaded.config(), kernels);
            Engine engine = new Engine(loaded.transformer());
            int[] input = {3, 17, 42, 9, 60, 1, 33, 12};
            List<TrainingExample> examples = new ArrayList<>();
            for (int shift = 0; shift < VOCAB; shift += 7) {
                int[] targets = new int[input.length];
                for (int i = 0; i < targets.length; i++) {
                    targets[i] = (input[i] * 5 + shift + i) % VOCAB;
                }
                examples.add(new TrainingExample(lora, input, new CrossEntropyLoss(), LossInputs.crossEntropy(targets, null)));
            }
            List<ExampleResult> results = engine.forwardBackward(examples, false);
            return results.stream().map(ExampleResult::logprobs).toArray(float[][]::new);
        }
    }

    private static double maxDiff(float[][] x, float[][] y) {
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[i].length; j++) {
                m = Math.max(m, Math.abs(x[i][j] - y[i][j]));
            }
        }
        return m;
    }

    private void mergedMatchesBasePlusAdapter(Path dir, boolean tied, boolean rslora) throws Exception {
        ModelConfig config = model(tied);
        Path base = dir.resolve("base");
        HfModelWriter.writeRandom(base, config, 21, 0.2);
        Files.writeString(base.resolve("tokenizer.json"), "{\"stand-in\": true}");
        Path adapterDir = dir.resolve("adapter");
        PeftAdapterFiles.write(adapterDir, adapter(config, 4, 8, rslora, 5));
        Path merged = dir.resolve("merged");

        LoraMerge.Summary summary = LoraMerge.merge(base, adapterDir, merged, Optional.empty());
        assertThat(summary.scale()).isEqualTo(rslora ? 8 / 2.0 : 8 / 4.0);
        assertThat(summary.mergedWeights()).hasSize(LAYERS * MODULES.size() + 1).contains("lm_head.weight",
                "model.layers.1.self_attn.q_proj.weight", "model.layers.0.mlp.down_proj.weight");
        assertThat(summary.untiedHead()).isEqualTo(tied);
        assertThat(new ObjectMapper().readTree(merged.resolve("config.json").toFile()).get("tie_word_embeddings").asBoolean()).isFalse();
        assertThat(merged.resolve("tokenizer.json")).hasSameTextualContentAs(base.resolve("tokenizer.json"));

        float[][] withAdapter = logprobs(base, adapterDir);
        float[][] mergedOut = logprobs(merged, null);
        float[][] baseOut = logprobs(base, null);
        assertThat(maxDiff(withAdapter, baseOut)).as("the adapter changes the model").isGreaterThan(0.05);
        assertThat(maxDiff(withAdapter, mergedOut)).as("merged vs base + adapter").isLessThan(1e-4);
    }

    @Test
    void untiedModelMatchesBasePlusAdapter(@TempDir Path dir) throws Exception {
        mergedMatchesBasePlusAdapter(dir, false, false);
    }

    @Test
    void tiedModelWithRankStabilisedLoraIsUntiedAndMatches(@TempDir Path dir) throws Exception {
        mergedMatchesBasePlusAdapter(dir, true, true);
    }

    /** Qwen3-MoE: layers 0 and 2 sparse (4 experts of width 24, top-2), layer 1 dense (width 64). */
    private static final ModelConfig MOE = new ModelConfig(ModelFamily.QWEN3_MOE, VOCAB, 32, 64, 3, 4, 2, 8, 1e-6, 10000,
            null, 4096, false, false, false, true, null, List.of(), "float32", 4, 2, 24, true, 1, List.of(1));

    /**
     * LoRA on every attention projection, on the dense MLP of layer 1 and on some projections of some experts
     * (both kinds of shape: gate/up [24, 32], down [32, 24]); experts 1 and 3 of layer 0 and expert 0 of layer 2 have
     * none.
     */
    private static PeftAdapter moeAdapter(int rank, double alpha, long seed) {
        Random random = new Random(seed);
        int hidden = MOE.hiddenSize();
        int expertWidth = MOE.moeIntermediateSize();
        Map<LoraKey, LoraPair> pairs = new LinkedHashMap<>();
        for (int layer = 0; layer < MOE.numLayers(); layer++) {
            pairs.put(LoraKey.of(layer, "q_proj"), pair(random, rank, hidden, MOE.qDim()));
            pairs.put(LoraKey.of(layer, "k_proj"), pair(random, rank, hidden, MOE.kvDim()));
            pairs.put(LoraKey.of(layer, "v_proj"), pair(random, rank, hidden, MOE.kvDim()));
            pairs.put(LoraKey.of(layer, "o_proj"), pair(random, rank, MOE.qDim(), hidden));
        }
        pairs.put(LoraKey.of(1, "gate_proj"), pair(random, rank, hidden, MOE.intermediateSize()));
        pairs.put(LoraKey.of(1, "up_proj"), pair(random, rank, hidden, MOE.intermediateSize()));
        pairs.put(LoraKey.of(1, "down_proj"), pair(random, rank, MOE.intermediateSize(), hidden));
        int[][] experts = {{0, 0}, {0, 2}, {2, 1}, {2, 2}, {2, 3}};   // (layer, expert)
        String[][] projections = {{"gate_proj", "up_proj", "down_proj"}, {"down_proj"}, {"up_proj", "down_proj"},
                {"gate_proj", "up_proj", "down_proj"}, {"gate_proj"}};
        for (int i = 0; i < experts.length; i++) {
            for (String m : projections[i]) {
                boolean down = m.equals("down_proj");
                pairs.put(LoraKey.expert(experts[i][0], experts[i][1], m),
                        pair(random, rank, down ? expertWidth : hidden, down ? hidden : expertWidth));
            }
        }
        return new PeftAdapter(rank, alpha, false, List.copyOf(MODULES), "tiny-moe", pairs);
    }

    private static Map<String, byte[]> rawTensors(Path modelDir) throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ModelWeights w = ModelWeights.open(modelDir)) {
            for (String name : w.names()) {
                out.put(name, w.get(name).bytes().toArray(ValueLayout.JAVA_BYTE));
            }
        }
        return out;
    }

    @Test
    void mixtureOfExpertsWithPerExpertLoraMatchesBasePlusAdapter(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("base");
        HfModelWriter.writeRandom(base, MOE, 31, 0.2);
        Path adapterDir = dir.resolve("adapter");
        PeftAdapter adapter = moeAdapter(4, 8, 7);
        PeftAdapterFiles.write(adapterDir, adapter);
        Path merged = dir.resolve("merged");

        LoraMerge.Summary summary = LoraMerge.merge(base, adapterDir, merged, Optional.empty());
        assertThat(summary.mergedWeights()).hasSize(adapter.pairs().size()).contains(
                "model.layers.0.mlp.experts.2.down_proj.weight", "model.layers.2.mlp.experts.3.gate_proj.weight",
                "model.layers.1.mlp.down_proj.weight", "model.layers.2.self_attn.o_proj.weight");
        assertThat(summary.untiedHead()).isFalse();

        // each adapted weight moved by exactly scale·B·A of its own expert (summed here in double, in another order)
        Map<String, byte[]> baseRaw = rawTensors(base);
        Map<String, byte[]> mergedRaw = rawTensors(merged);
        assertThat(mergedRaw.keySet()).isEqualTo(baseRaw.keySet());
        try (ModelWeights b = ModelWeights.open(base); ModelWeights m = ModelWeights.open(merged)) {
            for (Map.Entry<LoraKey, LoraPair> e : adapter.pairs().entrySet()) {
                String name = e.getKey().peftModulePath().substring("base_model.model.".length()) + ".weight";
                LoraPair p = e.getValue();
                float[] w0 = b.get(name).toFloatArray();
                float[] w1 = m.get(name).toFloatArray();
                for (int o = 0; o < p.outFeatures(); o++) {
                    for (int i = 0; i < p.inFeatures(); i++) {
                        double delta = 0;
                        for (int k = p.rank() - 1; k >= 0; k--) {
                            delta += p.b()[o * p.rank() + k] * (double) p.a()[k * p.inFeatures() + i];
                        }
                        assertThat((double) w1[o * p.inFeatures() + i]).as("%s [%d, %d]", name, o, i)
                                .isCloseTo(w0[o * p.inFeatures() + i] + 2.0 * delta, org.assertj.core.data.Offset.offset(1e-5));
                    }
                }
            }
        }
        // experts without LoRA, un-adapted projections of adapted experts, routers and norms are copied bit for bit
        List<String> untouched = baseRaw.keySet().stream().filter(n -> !summary.mergedWeights().contains(n)).toList();
        assertThat(untouched).contains("model.layers.0.mlp.gate.weight", "model.layers.2.mlp.gate.weight",
                "model.layers.0.mlp.experts.1.gate_proj.weight", "model.layers.0.mlp.experts.3.down_proj.weight",
                "model.layers.2.mlp.experts.0.up_proj.weight", "model.layers.0.mlp.experts.2.gate_proj.weight",
                "model.layers.2.mlp.experts.3.down_proj.weight");
        for (String name : untouched) {
            assertThat(mergedRaw.get(name)).as(name).isEqualTo(baseRaw.get(name));
        }

        float[][] withAdapter = logprobs(base, adapterDir);
        float[][] mergedOut = logprobs(merged, null);
        float[][] baseOut = logprobs(base, null);
        assertThat(maxDiff(withAdapter, baseOut)).as("the adapter changes the model").isGreaterThan(0.05);
        assertThat(maxDiff(withAdapter, mergedOut)).as("merged vs base + adapter").isLessThan(1e-4);

        // the expert LoRA alone is routed to and changes the outputs, so the comparison above covers it
        Map<LoraKey, LoraPair> expertPairs = new LinkedHashMap<>(adapter.pairs());
        expertPairs.keySet().removeIf(k -> k.expert() < 0);
        Path expertsOnly = dir.resolve("experts-only");
        PeftAdapterFiles.write(expertsOnly, new PeftAdapter(4, 8, false, List.of("gate_proj", "up_proj", "down_proj"),
                "tiny-moe", expertPairs));
        Path mergedExperts = dir.resolve("merged-experts");
        LoraMerge.merge(base, expertsOnly, mergedExperts, Optional.empty());
        float[][] withExperts = logprobs(base, expertsOnly);
        assertThat(maxDiff(withExperts, baseOut)).as("the expert LoRA changes the model").isGreaterThan(0.01);
        assertThat(maxDiff(withExperts, logprobs(mergedExperts, null))).as("merged vs base + expert LoRA").isLessThan(1e-4);
    }

    @Test
    void productMatchesAHandComputedCase() {
        // W 2x3, A 1x3 = [1 2 3], B 2x1 = [1; -2], scale 0.5: W += 0.5 * [[1 2 3], [-2 -4 -6]]
        float[] w = {0, 0, 0, 1, 1, 1};
        LoraMerge.addProduct("w", w, new long[]{2, 3}, new LoraPair(new float[]{1, 2, 3}, 1, 3, new float[]{1, -2}, 2, 1), 0.5);
        assertThat(w).containsExactly(0.5f, 1f, 1.5f, 0f, -1f, -2f);
        assertThatThrownBy(() -> LoraMerge.addProduct("w", w, new long[]{3, 2},
                new LoraPair(new float[]{1, 2, 3}, 1, 3, new float[]{1, -2}, 2, 1), 1)).hasMessageContaining("[2, 3]");
    }

    @Test
    void anAdapterForAnotherModelIsRefused(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("base");
        HfModelWriter.writeRandom(base, ModelConfig.dense(ModelFamily.QWEN3, VOCAB, 32, 64, 1, 4, 2, 8, 10000, false), 1, 0.2);
        Path adapterDir = dir.resolve("adapter");
        PeftAdapterFiles.write(adapterDir, adapter(model(false), 2, 2, false, 1));
        assertThatThrownBy(() -> LoraMerge.merge(base, adapterDir, dir.resolve("out"), Optional.empty()))
                .hasMessageContaining("model.layers.1.");
        assertThatThrownBy(() -> LoraMerge.merge(dir, adapterDir, dir.resolve("out"), Optional.empty()))
                .hasMessageContaining("no config.json");
    }
}
