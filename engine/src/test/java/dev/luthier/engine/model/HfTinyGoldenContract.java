package dev.luthier.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.luthier.engine.Engine;
import dev.luthier.engine.ExampleResult;
import dev.luthier.engine.TrainingExample;
import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraConfig;
import dev.luthier.engine.lora.PeftAdapter;
import dev.luthier.engine.lora.PeftAdapterFiles;
import dev.luthier.engine.lora.PeftAdapters;
import dev.luthier.engine.loss.CrossEntropyLoss;
import dev.luthier.engine.loss.ImportanceSamplingLoss;
import dev.luthier.engine.loss.LossInputs;
import dev.luthier.engine.optim.AdamParams;
import dev.luthier.engine.optim.AdamW;
import dev.luthier.engine.optim.ParameterSet;
import dev.luthier.engine.sampler.SampleRequest;
import dev.luthier.engine.sampler.SampleResult;
import dev.luthier.engine.sampler.Sampler;
import dev.luthier.engine.sampler.SamplingParams;
import dev.luthier.engine.tensor.Tensor;
import dev.luthier.engine.testing.SharedData;
import dev.luthier.engine.weights.SafetensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine against Hugging Face transformers 5.12.1 + PEFT 0.20.0 on the tiny random models of
 * {@code shared/models/hf-tiny} (defined in its README), with the tolerances the README sets: logits, target
 * logprobs and losses, LoRA logprobs and every LoRA gradient, importance-sampling gradients, AdamW steps, greedy
 * decodes and the PEFT adapter directory. Each model's test class names its directory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HfTinyGoldenContract {
    Path dir;
    JsonNode golden;
    Kernels kernels;
    LoadedModel model;
    Engine engine;

    /** The model directory under shared/, e.g. {@code models/hf-tiny/qwen3}. */
    abstract String modelPath();

    @BeforeAll
    void load() throws Exception {
        dir = SharedData.require(modelPath());
        golden = SharedData.json(dir.resolve("golden.json"));
        kernels = new CpuKernels();
        model = LoadedModel.load(dir, kernels, 0);
        engine = new Engine(model.transformer());
    }

    @AfterAll
    void close() {
        if (model != null) {
            model.close();
        }
    }

    float[] tensor(String file, String name) throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(file))) {
            return f.get(name).toFloatArray();
        }
    }

    LoraAdapter adapterFrom(String file) throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(file))) {
            return LoraAdapter.fromPeftTensors("golden", new LoraConfig(4, 32, 0, true, true, false),
                    model.config(), kernels, name -> f.find(name).map(t -> t.toFloatArray()).orElse(null));
        }
    }

    List<TrainingExample> ceExamples(LoraAdapter adapter) {
        List<TrainingExample> out = new ArrayList<>();
        for (JsonNode seq : golden.get("sequences")) {
            out.add(new TrainingExample(adapter, SharedData.ints(seq.get("input_tokens")), new CrossEntropyLoss(),
                    LossInputs.crossEntropy(SharedData.ints(seq.get("target_tokens")), SharedData.floats(seq.get("weights")))));
        }
        return out;
    }

    @Test
    void baseLogitsMatchTransformers() throws Exception {
        int[] tokens = SharedData.ints(golden.get("sequences").get(0).get("tokens"));
        Tensor hidden = model.transformer().forward(PackedBatch.of(List.of(new PackedBatch.Sequence(tokens, null))), null);
        float[] logits = kernels.toHost(model.transformer().head().logits(hidden, List.of(new AdapterSegment(0, tokens.length, null))));
        float[] expected = tensor("golden_tensors.safetensors", "base.logits.short");
        assertThat(logits).hasSameSizeAs(expected);
        assertThat(maxAbsDiff(logits, expected)).isLessThanOrEqualTo(1e-4);
    }

    @Test
    void baseTargetLogprobsAndCrossEntropy() {
        List<ExampleResult> results = engine.forwardBackward(ceExamples(null), false);
        double sum = 0;
        for (int s = 0; s < results.size(); s++) {
            float[] expected = SharedData.floats(golden.get("base").get("target_logprobs").get(s));
            assertThat(maxAbsDiff(results.get(s).logprobs(), expected)).isLessThanOrEqualTo(1e-4);
            assertThat(results.get(s).loss()).isCloseTo(golden.get("base").get("ce_loss_per_seq").get(s).asDouble(),
                    org.assertj.core.data.Percentage.withPercentage(1e-3));
            sum += results.get(s).loss();
        }
        assertThat(relErr(sum, golden.get("base").get("ce_loss_sum").asDouble())).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void loraLogprobsLossAndGradientsMatchPeft() throws Exception {
        LoraAdapter adapter = adapterFrom("lora_init.safetensors");
        List<ExampleResult> results = engine.forwardBackward(ceExamples(adapter), true);
        double sum = 0;
        for (int s = 0; s < results.size(); s++) {
            float[] expected = SharedData.floats(golden.get("lora").get("target_logprobs").get(s));
            assertThat(maxAbsDiff(results.get(s).logprobs(), expected)).isLessThanOrEqualTo(1e-4);
            sum += results.get(s).loss();
        }
        assertThat(relErr(sum, golden.get("lora").get("ce_loss_sum").asDouble())).isLessThanOrEqualTo(1e-5);
        assertGradientsMatch(adapter, "lora_grads.safetensors");
    }

    @Test
    void loraGradientsAfterOneStepMatch() throws Exception {
        LoraAdapter adapter = adapterFrom("lora_after_step.safetensors");
        List<ExampleResult> results = engine.forwardBackward(ceExamples(adapter), true);
        double sum = results.get(0).loss() + results.get(1).loss();
        assertThat(relErr(sum, golden.get("adamw").get("ce_loss_sum_after_step1").asDouble())).isLessThanOrEqualTo(1e-5);
        assertGradientsMatch(adapter, "lora_grads_step2.safetensors");
    }

    @Test
    void peftAdapterDirectoryGivesPeftLogprobsAndRoundTrips(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        PeftAdapter peft = PeftAdapterFiles.read(dir.resolve("peft_adapter_init"));
        LoraAdapter adapter = PeftAdapters.toEngine(peft, "peft", model.config(), kernels);
        assertLoraLogprobs(adapter);
        PeftAdapterFiles.write(tmp.resolve("copy"), PeftAdapters.fromEngine(adapter, kernels, "hf-tiny/qwen3_moe"));
        assertLoraLogprobs(PeftAdapters.toEngine(PeftAdapterFiles.read(tmp.resolve("copy")), "copy", model.config(), kernels));
    }

    void assertLoraLogprobs(LoraAdapter adapter) {
        List<ExampleResult> results = engine.forwardBackward(ceExamples(adapter), false);
        for (int s = 0; s < results.size(); s++) {
            float[] expected = SharedData.floats(golden.get("lora").get("target_logprobs").get(s));
            assertThat(maxAbsDiff(results.get(s).logprobs(), expected)).isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void importanceSamplingLossAndGradientsMatch() throws Exception {
        LoraAdapter adapter = adapterFrom("lora_init.safetensors");
        JsonNode is = golden.get("importance_sampling");
        List<TrainingExample> examples = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            JsonNode seq = golden.get("sequences").get(s);
            examples.add(new TrainingExample(adapter, SharedData.ints(seq.get("input_tokens")), new ImportanceSamplingLoss(),
                    LossInputs.policyGradient(SharedData.ints(seq.get("target_tokens")),
                            SharedData.floats(is.get("sampling_logprobs").get(s)), SharedData.floats(is.get("advantages").get(s)))));
        }
        List<ExampleResult> results = engine.forwardBackward(examples, true);
        double loss = results.get(0).loss() + results.get(1).loss();
        assertThat(Math.abs(loss - is.get("loss").asDouble())).isLessThanOrEqualTo(1e-4);
        assertGradientsMatch(adapter, "lora_is_grads.safetensors");
    }

    @Test
    void adamwStepsFromGoldenGradientsMatchTorch() throws Exception {
        LoraAdapter adapter = adapterFrom("lora_init.safetensors");
        AdamW optimizer = new AdamW(kernels);
        AdamParams hp = new AdamParams(0.01, 0.9, 0.95, 1e-8, 0.1, 0);
        setGradients(adapter, "lora_grads.safetensors");
        optimizer.apply(adapter, hp);
        assertParametersMatch(adapter, "lora_after_step.safetensors", 1e-6, Set.of());
        setGradients(adapter, "lora_grads_step2.safetensors");
        optimizer.apply(adapter, hp);
        assertParametersMatch(adapter, "lora_after_step2.safetensors", 1e-6, Set.of());
    }

    @Test
    void trainingStepEndToEndMatchesTorch() throws Exception {
        LoraAdapter adapter = adapterFrom("lora_init.safetensors");
        AdamW optimizer = new AdamW(kernels);
        AdamParams hp = new AdamParams(0.01, 0.9, 0.95, 1e-8, 0.1, 0);
        engine.forwardBackward(ceExamples(adapter), true);
        optimizer.apply(adapter, hp);
        Set<String> fragile = new HashSet<>();
        for (JsonNode f : golden.get("sanity").get("adamw_fragile_entries")) {
            fragile.add(f.get("param").asText() + "@" + f.get("index").get(0).asInt() + "," + f.get("index").get(1).asInt());
        }
        assertParametersMatch(adapter, "lora_after_step.safetensors", 1e-6, fragile);
        List<ExampleResult> after = engine.forwardBackward(ceExamples(adapter), true);
        double sum = after.get(0).loss() + after.get(1).loss();
        assertThat(relErr(sum, golden.get("adamw").get("ce_loss_sum_after_step1").asDouble())).isLessThanOrEqualTo(1e-5);
    }

    @Test
    void greedyDecodeMatchesGenerate() {
        JsonNode g = golden.get("base").get("greedy");
        Sampler sampler = new Sampler(model.transformer(), 2, 64, null);
        SampleResult r = sampler.generate(List.of(new SampleRequest(null, SharedData.ints(g.get("prompt")),
                SamplingParams.greedy(12)))).getFirst();
        assertThat(r.sequences().getFirst().tokens()).containsExactly(SharedData.ints(g.get("new_tokens")));
        assertThat(maxAbsDiff(r.sequences().getFirst().logprobs(), SharedData.floats(g.get("new_token_logprobs"))))
                .isLessThanOrEqualTo(1e-4);
    }

    @Test
    void greedyDecodeWithLoraMatchesPeftGenerate() throws Exception {
        LoraAdapter adapter = adapterFrom("lora_init.safetensors");
        JsonNode g = golden.get("lora").get("greedy");
        Sampler sampler = new Sampler(model.transformer(), 2, 64, null);
        SampleResult r = sampler.generate(List.of(new SampleRequest(adapter, SharedData.ints(g.get("prompt")),
                SamplingParams.greedy(12)))).getFirst();
        assertThat(r.sequences().getFirst().tokens()).containsExactly(SharedData.ints(g.get("new_tokens")));
        assertThat(maxAbsDiff(r.sequences().getFirst().logprobs(), SharedData.floats(g.get("new_token_logprobs"))))
                .isLessThanOrEqualTo(1e-4);
    }

    void setGradients(LoraAdapter adapter, String file) throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(file))) {
            for (ParameterSet.Entry e : adapter.parameters()) {
                float[] g = f.get(e.name()).toFloatArray();
                kernels.copy(kernels.fromHost(g, e.grad().rows(), e.grad().cols()), e.grad());
            }
        }
    }

    void assertGradientsMatch(LoraAdapter adapter, String file) throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(file))) {
            assertThat(adapter.parameters()).hasSize(f.names().size());
            for (ParameterSet.Entry e : adapter.parameters()) {
                float[] expected = f.get(e.name()).toFloatArray();
                float[] actual = kernels.toHost(e.grad());
                double max = 0;
                for (float v : expected) {
                    max = Math.max(max, Math.abs(v));
                }
                assertThat(maxAbsDiff(actual, expected)).as(e.name()).isLessThanOrEqualTo(1e-4 * max);
            }
        }
    }

    void assertParametersMatch(LoraAdapter adapter, String file, double tolerance, Set<String> skip) throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(file))) {
            for (ParameterSet.Entry e : adapter.parameters()) {
                float[] expected = f.get(e.name()).toFloatArray();
                float[] actual = kernels.toHost(e.value());
                int cols = e.value().cols();
                for (int i = 0; i < expected.length; i++) {
                    if (skip.contains(e.name() + "@" + (i / cols) + "," + (i % cols))) {
                        continue;
                    }
                    assertThat((double) Math.abs(actual[i] - expected[i])).as(e.name() + "[" + i + "]").isLessThanOrEqualTo(tolerance);
                }
            }
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    static double relErr(double a, double b) {
        return Math.abs(a - b) / Math.abs(b);
    }
}
