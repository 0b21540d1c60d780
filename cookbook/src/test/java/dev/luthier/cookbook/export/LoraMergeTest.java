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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
