package dev.luthier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.client.ClientOptions;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.http.RetryPolicy;
import dev.luthier.engine.model.HfModelWriter;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.ModelFamily;
import dev.luthier.server.LuthierServer;
import dev.luthier.server.ServerConfig;
import dev.luthier.server.models.WorkerOptions;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real server on loopback over a tiny random model written by the test, with a {@code tokenizer.json} of one token
 * per ASCII character (id = code point), and a way to run {@code luthier} commands against it.
 */
final class TinyModelServer implements AutoCloseable {
    static final ModelConfig TINY = ModelConfig.dense(ModelFamily.QWEN3, 128, 32, 64, 2, 4, 2, 8, 10000, true);
    static final String MODEL = "tiny";
    static final String KEY = "tml-cli-test";

    final LuthierServer server;
    final String baseUrl;
    final Path modelDir;

    TinyModelServer(Path dataDir) throws Exception {
        modelDir = dataDir.resolve("models").resolve(MODEL);
        HfModelWriter.writeRandom(modelDir, TINY, 7, 0.2);
        writeAsciiTokenizer(modelDir);
        server = LuthierServer.start(ServerConfig.defaults(dataDir)
                .withPort("127.0.0.1", 0)
                .withModels(Map.of(MODEL, modelDir))
                .withWorkerOptions(new WorkerOptions(4096, 4, 256, Duration.ofSeconds(30), 64), 1)
                .withLongPoll(Duration.ofSeconds(5)));
        baseUrl = "http://127.0.0.1:" + server.port();
    }

    ServiceClient client() {
        return new ServiceClient(ClientOptions.of(baseUrl, KEY)
                .withRetry(new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(5)))
                .withHeartbeatInterval(Duration.ofMillis(500)));
    }

    /** A BPE without merges whose vocabulary is the 128 ASCII characters, id = code point. */
    static void writeAsciiTokenizer(Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.putArray("added_tokens");
        root.putNull("normalizer");
        root.putNull("pre_tokenizer");
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "Fuse");
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("unk_token");
        ObjectNode vocab = model.putObject("vocab");
        for (int c = 0; c < 128; c++) {
            vocab.put(String.valueOf((char) c), c);
        }
        model.putArray("merges");
        json.writeValue(dir.resolve("tokenizer.json").toFile(), root);
    }

    /** What a command printed and returned. */
    record Run(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    /** Runs {@code luthier args...} against this server (--base-url and --api-key added after the command words). */
    Run luthier(List<String> commandWords, String... args) {
        return luthierWithInput("", commandWords, args);
    }

    /** As {@link #luthier}, reading {@code stdin} as standard input. */
    Run luthierWithInput(String stdin, List<String> commandWords, String... args) {
        List<String> all = new ArrayList<>(commandWords);
        all.addAll(List.of("--base-url", baseUrl, "--api-key", KEY));
        all.addAll(List.of(args));
        return run(stdin, all.toArray(String[]::new));
    }

    /** Runs {@code luthier args...}, which must succeed, and parses its standard output as one JSON document. */
    static JsonNode json(String... args) throws Exception {
        Run r = run("", args);
        org.assertj.core.api.Assertions.assertThat(r.code()).as(r.err()).isZero();
        return new ObjectMapper().readTree(r.out());
    }

    /** Runs {@code luthier args...}, which must fail as bad input does (exit code 2), and returns what it printed to stderr. */
    static String error(String... args) {
        Run r = run("", args);
        org.assertj.core.api.Assertions.assertThat(r.code()).as(r.err()).isEqualTo(2);
        return r.err();
    }

    /** Runs {@code luthier args...} as given, capturing stdout and stderr. */
    static Run run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        InputStream oldIn = System.in;
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            CommandLine cli = Main.configure(new CommandLine(new Main()));
            cli.setErr(new PrintWriter(err));
            code = cli.execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            System.setIn(oldIn);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err + stderr.toString(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.close();
    }
}
