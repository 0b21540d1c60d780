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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
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

    @Test
    void contradictoryArgumentsAreOneLineErrors() {
        assertThat(fail("export", "--out", "x")).contains("give a checkpoint path or --adapter DIR");
        assertThat(fail("export", "--adapter", "a", "--out", "x")).contains("add --merge");
        assertThat(fail("export", "--adapter", "a", "--merge", "--out", "x", "--dtype", "int8")).contains("--dtype must be");
    }

    private static JsonNode run(String... args) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int code;
        try {
            System.setOut(new PrintStream(captured, true));
            code = Main.configure(new CommandLine(new Main())).execute(args);
        } finally {
            System.setOut(old);
        }
        assertThat(code).as(captured.toString()).isZero();
        return new ObjectMapper().readTree(captured.toString());
    }

    private static String fail(String... args) {
        CommandLine cli = Main.configure(new CommandLine(new Main()));
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute(args)).isEqualTo(2);
        return err.toString();
    }
}
