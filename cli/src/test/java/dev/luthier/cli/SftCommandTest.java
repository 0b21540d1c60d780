package dev.luthier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code luthier sft} with an embedded server. */
class SftCommandTest {
    private static Path shared(String relative) {
        Path p = Path.of(System.getProperty("luthier.shared", "../shared")).resolve(relative).toAbsolutePath();
        Assumptions.assumeTrue(Files.exists(p), "skipped: " + p + " is missing (the shared reference data is not here)");
        return p;
    }

    @Test
    void trainsStories260KOnShareGptWithAnEmbeddedServer(@TempDir Path dir) throws Exception {
        Path model = shared("models/stories260K");
        Path data = shared("datasets/chat-sft/fastchat_dummy_conversation.json");
        Path logDir = dir.resolve("run");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int code;
        try {
            System.setOut(new PrintStream(captured, true));
            code = Main.configure(new CommandLine(new Main())).execute("sft", "--data", dir.resolve("server").toString(),
                    "--model", "stories=" + model, "--json", "modelName=stories", "data=" + data, "renderer=role_colon",
                    "maxSteps=2", "batchSize=2", "maxLength=32", "testSize=2", "evalEvery=0", "rank=4",
                    "learningRate=1e-3", "logDir=" + logDir);
        } finally {
            System.setOut(old);
        }
        assertThat(code).as(captured.toString()).isZero();
        JsonNode out = new ObjectMapper().readTree(captured.toString());
        assertThat(out.get("steps").asLong()).isEqualTo(2);
        assertThat(out.get("sampler_path").asText()).startsWith("tinker://").endsWith("/sampler_weights/final");
        // stories260K's vocabulary is 512: a mean NLL per token well under ln 512 = 6.24 but positive
        assertThat(out.get("train").get("train_mean_nll").asDouble()).isBetween(0.1, 6.24);
        assertThat(out.get("eval").get("test/bpb").asDouble()).isPositive();
        assertThat(logDir.resolve("report.html")).exists();
        assertThat(logDir.resolve("checkpoints.jsonl")).exists();
    }

    @Test
    void aFinishedRunStartedAgainSaysSoAndReturnsTheSavedWeights(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("chat.jsonl");
        Files.writeString(data, """
                {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}
                {"messages": [{"role": "user", "content": "c"}, {"role": "assistant", "content": "d"}]}
                """);
        Path logDir = dir.resolve("run");
        try (TinyModelServer s = new TinyModelServer(dir.resolve("server"))) {
            String[] args = {"--json", "modelName=" + TinyModelServer.MODEL, "tokenizer=" + s.modelDir, "data=" + data,
                    "renderer=role_colon", "maxSteps=2", "batchSize=1", "testSize=0", "rank=4", "logDir=" + logDir};
            var first = s.luthier(List.of("sft"), args);
            assertThat(first.code()).as(first.err()).isZero();
            byte[] metrics = Files.readAllBytes(logDir.resolve("metrics.jsonl"));
            var again = s.luthier(List.of("sft"), args);
            assertThat(again.code()).as(again.err()).isZero();
            ObjectMapper json = new ObjectMapper();
            assertThat(json.readTree(first.out()).get("already_finished").asBoolean()).isFalse();
            JsonNode out = json.readTree(again.out());
            assertThat(out.get("already_finished").asBoolean()).isTrue();
            assertThat(out.get("sampler_path").asText()).isEqualTo(json.readTree(first.out()).get("sampler_path").asText());
            assertThat(out.get("steps").asInt()).isEqualTo(2);
            assertThat(again.err()).contains("already finished");
            assertThat(logDir.resolve("metrics.jsonl")).hasBinaryContent(metrics);

            var plain = s.luthier(List.of("sft"), java.util.Arrays.copyOfRange(args, 1, args.length));
            assertThat(plain.code()).as(plain.err()).isZero();
            assertThat(plain.out()).contains("sft: " + logDir + " already holds this run's final checkpoint; nothing to do");
        }
    }

    @Test
    void reportCommandWritesTheReportOfALogDirectory(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"step\":0,\"loss\":2.0}\n{\"step\":1,\"loss\":1.0}\n");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream old = System.out;
        try {
            System.setOut(new PrintStream(captured, true));
            assertThat(Main.configure(new CommandLine(new Main())).execute("report", dir.toString())).isZero();
        } finally {
            System.setOut(old);
        }
        assertThat(captured.toString().strip()).isEqualTo(dir.resolve("report.html").toString());
        assertThat(Files.readString(dir.resolve("report.html"))).contains(">loss</text>");
        assertThat(run("report", dir.resolve("nothing").toString())).contains("has no metrics.jsonl");
    }

    @Test
    void missingSettingsAndUnknownKeysAreOneLineErrors() {
        assertThat(run("sft", "--data", "/nonexistent-dir", "data=x.jsonl")).contains("set modelName=");
        assertThat(run("sft", "--data", "/nonexistent-dir", "modelName=m", "bogus=1")).contains("unknown setting 'bogus'");
        assertThat(run("sft", "modelName=m", "data=x.jsonl", "tokenizer=/nonexistent/tokenizer.json")).contains("no tokenizer at");
    }

    private static String run(String... args) {
        CommandLine cli = Main.configure(new CommandLine(new Main()));
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        assertThat(code).isEqualTo(2);
        return err.toString();
    }
}
