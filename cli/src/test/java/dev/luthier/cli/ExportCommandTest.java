package dev.luthier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.api.input.Datum;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.api.training.AdamParams;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.training.TrainingClient;
import dev.luthier.engine.model.HfModelWriter;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.ModelFamily;
import dev.luthier.server.LuthierServer;
import dev.luthier.server.ServerConfig;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code luthier export} against a server on loopback (the merge itself is checked in the cookbook's LoraMergeTest). */
class ExportCommandTest {
    private static final String KEY = "tml-export-test";

    @Test
    void exportsAPeftAdapterAndAMergedModelFromARemoteServer(@TempDir Path dir) throws Exception {
        Path modelDir = dir.resolve("tiny");
        HfModelWriter.writeRandom(modelDir, ModelConfig.dense(ModelFamily.QWEN3, 64, 32, 64, 2, 4, 2, 8, 10000, true), 3, 0.2);
        String checkpoint;
        try (LuthierServer server = LuthierServer.start(ServerConfig.defaults(dir.resolve("data")).withPort("127.0.0.1", 0)
                .withModels(Map.of("tiny", modelDir)).withBootstrapKeys(List.of(KEY)))) {
            String url = "http://127.0.0.1:" + server.port();
            try (ServiceClient service = new ServiceClient(url, KEY)) {
                TrainingClient training = service.createLoraTrainingClient("tiny", 2);
                int[] t = {1, 2, 3, 4, 5};
                training.forwardBackward(List.of(new Datum(ModelInput.ofTokens(1, 2, 3, 4), Map.of(
                        "target_tokens", TensorData.ofInts(new int[]{2, 3, 4, 5}, 4),
                        "weights", TensorData.ofFloats(new float[]{1, 1, 1, 1}, 4)))), "cross_entropy");
                training.optimStep(AdamParams.defaults().withLearningRate(1e-2));
                checkpoint = training.saveWeightsForSampler("final").join().path();
            }
            JsonNode peft = run("export", checkpoint, "--base-url", url, "--api-key", KEY, "--out",
                    dir.resolve("peft").toString(), "--json");
            assertThat(peft.get("adapter_dir").asText()).isEqualTo(dir.resolve("peft").toString());
            assertThat(dir.resolve("peft/adapter_config.json")).exists();
            assertThat(dir.resolve("peft/adapter_model.safetensors")).exists();

            // the base model is found from the checkpoint's base model name through --model
            JsonNode merged = run("export", checkpoint, "--base-url", url, "--api-key", KEY, "--merge",
                    "--model", "tiny=" + modelDir, "--out", dir.resolve("merged").toString(), "--json");
            // 7 modules x 2 layers and lm_head (the server trains every module by default); tied head is untied
            assertThat(merged.get("merged_weights").asInt()).isEqualTo(15);
            assertThat(merged.get("untied_head").asBoolean()).isTrue();
            assertThat(dir.resolve("merged/model.safetensors")).exists();
        }
        // merging a local adapter needs no server
        JsonNode local = run("export", "--adapter", dir.resolve("peft").toString(), "--merge", "--base-model",
                modelDir.toString(), "--out", dir.resolve("merged2").toString(), "--dtype", "f32", "--json");
        assertThat(local.get("merged_weights").asInt()).isEqualTo(15);
    }

    /**
     * Qwen3-MoE end to end: a few training steps on the server, {@code luthier export} of the sampler weights, the
     * tensor names against the PEFT naming documented in docs/engine.md, then {@code luthier score --adapter} and the
     * merged model against the server's own forward pass and sampler.
     */
    @Test
    void aMixtureOfExpertsCheckpointExportsPerExpertPeftTensorsThatScoreAndMergeLikeTheServer(@TempDir Path dir) throws Exception {
        // layers 0 and 2 have 4 experts (top-2), layer 1 is dense
        ModelConfig moe = new ModelConfig(ModelFamily.QWEN3_MOE, 64, 32, 64, 3, 4, 2, 8, 1e-6, 10000, null, 4096, false,
                false, false, true, null, List.of(), "float32", 4, 2, 24, true, 1, List.of(1));
        Path modelDir = dir.resolve("tiny-moe");
        HfModelWriter.writeRandom(modelDir, moe, 9, 0.2);
        int[] tokens = {5, 17, 42, 9, 33, 12, 60, 1, 28, 47, 3};
        int n = tokens.length - 1;
        float[] w = new float[n];
        java.util.Arrays.fill(w, 1f);
        Datum datum = new Datum(ModelInput.ofTokens(java.util.Arrays.copyOf(tokens, n)), Map.of(
                "target_tokens", TensorData.ofInts(java.util.Arrays.copyOfRange(tokens, 1, tokens.length), n),
                "weights", TensorData.ofFloats(w, n)));
        float[] serverForward;
        float[] serverSampler;
        try (LuthierServer server = LuthierServer.start(ServerConfig.defaults(dir.resolve("data")).withPort("127.0.0.1", 0)
                .withModels(Map.of("tiny-moe", modelDir)).withBootstrapKeys(List.of(KEY)))) {
            String url = "http://127.0.0.1:" + server.port();
            String checkpoint;
            try (ServiceClient service = new ServiceClient(url, KEY)) {
                TrainingClient training = service.createLoraTrainingClient("tiny-moe", 4);
                for (int step = 0; step < 3; step++) {
                    training.forwardBackward(List.of(datum), "cross_entropy");
                    training.optimStep(AdamParams.defaults().withLearningRate(5e-2));
                }
                checkpoint = training.saveWeightsForSampler("moe").join().path();
                serverForward = training.forward(List.of(datum), "cross_entropy").join()
                        .lossFnOutputs().getFirst().get("logprobs").toFloats();
                serverSampler = service.createSamplingClient(checkpoint).computeLogprobs(ModelInput.ofTokens(tokens)).join();
            }
            run("export", checkpoint, "--base-url", url, "--api-key", KEY, "--out", dir.resolve("peft").toString(), "--json");
        }

        Set<String> expected = new TreeSet<>();
        for (int layer = 0; layer < 3; layer++) {
            List<String> modules = new ArrayList<>();
            for (String m : List.of("q_proj", "k_proj", "v_proj", "o_proj")) {
                modules.add("self_attn." + m);
            }
            for (String m : List.of("gate_proj", "up_proj", "down_proj")) {
                if (layer == 1) {
                    modules.add("mlp." + m);
                } else {
                    for (int e = 0; e < 4; e++) {
                        modules.add("mlp.experts." + e + "." + m);
                    }
                }
            }
            for (String m : modules) {
                expected.add("base_model.model.model.layers." + layer + "." + m + ".lora_A.weight");
                expected.add("base_model.model.model.layers." + layer + "." + m + ".lora_B.weight");
            }
        }
        expected.add("base_model.model.lm_head.lora_A.weight");
        expected.add("base_model.model.lm_head.lora_B.weight");
        assertThat(safetensorsNames(dir.resolve("peft/adapter_model.safetensors"))).isEqualTo(expected);

        String tokenList = java.util.Arrays.stream(tokens).mapToObj(Integer::toString).collect(Collectors.joining(","));
        JsonNode scored = run("score", "--model", modelDir.toString(), "--adapter", dir.resolve("peft").toString(),
                "--tokens", tokenList, "--json").get("logprobs");
        JsonNode merged = run("export", "--adapter", dir.resolve("peft").toString(), "--merge", "--base-model",
                modelDir.toString(), "--out", dir.resolve("merged").toString(), "--json");
        assertThat(merged.get("merged_weights").asInt()).isEqualTo(expected.size() / 2);
        JsonNode mergedScored = run("score", "--model", dir.resolve("merged").toString(), "--tokens", tokenList,
                "--json").get("logprobs");
        JsonNode baseScored = run("score", "--model", modelDir.toString(), "--tokens", tokenList, "--json").get("logprobs");

        assertThat(scored.get(0).isNull()).isTrue();
        double trained = 0;
        for (int i = 1; i < tokens.length; i++) {
            double server = serverForward[i - 1];
            assertThat(scored.get(i).asDouble()).as("score --adapter, position %d", i).isCloseTo(server, Offset.offset(1e-4));
            assertThat(mergedScored.get(i).asDouble()).as("merged, position %d", i).isCloseTo(server, Offset.offset(1e-4));
            assertThat((double) serverSampler[i]).as("sampler, position %d", i).isCloseTo(server, Offset.offset(1e-4));
            trained = Math.max(trained, Math.abs(server - baseScored.get(i).asDouble()));
        }
        assertThat(trained).as("training moved the logprobs").isGreaterThan(0.05);
    }

    /** The tensor names in a safetensors header (8-byte little-endian length, then JSON), read here without the engine. */
    private static Set<String> safetensorsNames(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        long length = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) length, StandardCharsets.UTF_8));
        Set<String> names = new TreeSet<>();
        header.fieldNames().forEachRemaining(names::add);
        names.remove("__metadata__");
        return names;
    }

    @Test
    void contradictoryArgumentsAreOneLineErrors() {
        assertThat(fail("export", "--out", "x")).contains("give a checkpoint path or --adapter DIR");
        assertThat(fail("export", "--adapter", "a", "--out", "x")).contains("add --merge");
        assertThat(fail("export", "--adapter", "a", "--merge", "--out", "x", "--dtype", "int8")).contains("--dtype must be");
    }

    private static JsonNode run(String... args) throws Exception {
        return TinyModelServer.json(args);
    }

    private static String fail(String... args) {
        return TinyModelServer.error(args);
    }
}
