package dev.luthier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.engine.model.HfModelWriter;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.ModelFamily;
import dev.luthier.server.LuthierServer;
import dev.luthier.server.ServerConfig;
import dev.luthier.server.models.WorkerOptions;
import dev.luthier.server.storage.Storage;
import dev.luthier.server.storage.db.DatabaseSettings;
import dev.luthier.server.storage.keys.KeyHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code luthier tenants}, {@code keys} and {@code usage} on a real server's database after a scripted run. */
class AdminCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ModelConfig TINY = ModelConfig.dense(ModelFamily.QWEN3, 96, 32, 64, 2, 4, 2, 8, 10000, true);

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    private static Result luthier(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine cli = new CommandLine(new Main());
            cli.setErr(new java.io.PrintWriter(System.err, true));
            code = Main.configure(cli).execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void tenantsKeysAndUsageOfAScriptedRun() throws Exception {
        String data = dir.toString();
        assertThat(luthier("tenants", "create", "acme", "--data", data).out()).contains("created tenant acme");
        assertThat(luthier("tenants", "create", "acme", "--data", data).code()).isEqualTo(2);
        Result key = luthier("keys", "create", "--tenant", "acme", "--name", "laptop", "--data", data);
        String secret = key.out().strip();
        assertThat(secret).startsWith("tml-").hasSizeGreaterThan(40);
        assertThat(key.err()).contains("not shown again");
        assertThat(luthier("keys", "create", "--tenant", "nobody", "--data", data).err()).contains("no tenant named nobody");

        Path model = dir.resolve("models/tiny");
        HfModelWriter.writeRandom(model, TINY, 11, 0.2);
        String admin = "tml-cli-admin-key";
        String sampled;
        try (LuthierServer server = LuthierServer.start(ServerConfig.defaults(dir).withPort("127.0.0.1", 0)
                .withModels(Map.of("tiny", model)).withBootstrapKeys(List.of(admin))
                .withWorkerOptions(new WorkerOptions(4096, 4, 128, Duration.ofSeconds(30), 16), 1)
                .withLongPoll(Duration.ofSeconds(5)))) {
            String base = "http://127.0.0.1:" + server.port();
            // A key made through the running server's admin route works at once.
            Result remote = luthier("keys", "create", "--tenant", "acme", "--name", "ci", "--server", base, "--admin-key", admin);
            assertThat(remote.code()).as(remote.err()).isZero();
            Http acme = new Http(base, remote.out().strip());
            assertThat(new Http(base, secret).status("GET", "training_runs")).isEqualTo(200);

            // Known token counts: training 6 + 4, prefill 3, one checkpoint; sampled: what comes back.
            String session = acme.post("create_session", "{\"tags\": [], \"sdk_version\": \"0.24.1\"}").get("session_id").asText();
            String run = acme.await("create_model", "{\"session_id\": \"" + session + "\", \"model_seq_id\": 0, \"base_model\": \"tiny\","
                    + " \"lora_config\": {\"rank\": 2}}").get("model_id").asText();
            acme.await("forward_backward", "{\"forward_backward_input\": {\"loss_fn\": \"cross_entropy\", \"data\": ["
                    + datum(new int[]{1, 2, 3, 4, 5, 6}) + ", " + datum(new int[]{9, 8, 7, 6}) + "]}, \"model_id\": \"" + run
                    + "\", \"seq_id\": 1}");
            acme.await("save_weights", "{\"model_id\": \"" + run + "\", \"path\": \"w\", \"seq_id\": 2}");
            String sampler = acme.post("create_sampling_session", "{\"session_id\": \"" + session + "\", \"sampling_session_seq_id\": 0,"
                    + " \"base_model\": \"tiny\"}").get("sampling_session_id").asText();
            JsonNode sample = acme.await("asample", "{\"sampling_session_id\": \"" + sampler + "\", \"seq_id\": 0, \"num_samples\": 1,"
                    + " \"prompt\": {\"chunks\": [{\"tokens\": [5, 6, 7], \"type\": \"encoded_text\"}]},"
                    + " \"sampling_params\": {\"max_tokens\": 4, \"seed\": 1}}");
            sampled = Integer.toString(sample.get("sequences").get(0).get("tokens").size());
        }

        Path prices = dir.resolve("prices.json");
        Files.writeString(prices, "{\"tiny\": {\"train\": 2.5, \"prefill\": 1.0, \"sample\": 4.0}}");
        Result usage = luthier("usage", "--data", data, "--tenant", "acme", "--prices", prices.toString());
        assertThat(usage.code()).as(usage.err()).isZero();
        assertThat(usage.out()).contains("total training: 10").contains("total sampling_prefill: 3")
                .contains("total sampling_sample: " + sampled).contains("total checkpoint: 1");
        // 10 x 2.5 + 3 x 1.0 + n x 4.0 per million tokens.
        BigDecimal cost = new BigDecimal("25").add(new BigDecimal("3")).add(new BigDecimal(sampled).multiply(new BigDecimal(4)))
                .movePointLeft(6);
        assertThat(usage.out()).contains("total cost: " + cost.setScale(6).toPlainString());

        Result list = luthier("keys", "list", "--tenant", "acme", "--data", data);
        assertThat(list.out()).contains("laptop").contains("ci").doesNotContain(secret);
        String id;
        try (Storage storage = Storage.open(DatabaseSettings.sqlite(dir))) {
            id = storage.apiKeys().findByHash(KeyHash.of(secret)).orElseThrow().id();
        }
        assertThat(luthier("keys", "revoke", id, "--data", data).out()).contains("revoked " + id);
        assertThat(luthier("keys", "revoke", id, "--data", data).err()).contains("revoked already");
        assertThat(luthier("tenants", "list", "--data", data).out()).contains("acme").contains("default");
    }

    private static String datum(int[] tokens) {
        StringBuilder in = new StringBuilder();
        StringBuilder w = new StringBuilder();
        for (int i = 0; i < tokens.length; i++) {
            in.append(i == 0 ? "" : ",").append(tokens[i]);
            w.append(i == 0 ? "" : ",").append("1.0");
        }
        return "{\"model_input\": {\"chunks\": [{\"tokens\": [" + in + "], \"type\": \"encoded_text\"}]}, \"loss_fn_inputs\": "
                + "{\"target_tokens\": {\"data\": [" + in + "], \"dtype\": \"int64\", \"shape\": [" + tokens.length + "]}, "
                + "\"weights\": {\"data\": [" + w + "], \"dtype\": \"float32\", \"shape\": [" + tokens.length + "]}}}";
    }

    /** Raw calls with one key. */
    private record Http(String base, String key) {
        HttpResponse<String> call(String method, String path, String body) throws Exception {
            try (HttpClient http = HttpClient.newHttpClient()) {
                return http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/" + path)).header("X-API-Key", key)
                        .header("Content-Type", "application/json")
                        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                        .build(), HttpResponse.BodyHandlers.ofString());
            }
        }

        int status(String method, String path) throws Exception {
            return call(method, path, null).statusCode();
        }

        JsonNode post(String path, String body) throws Exception {
            HttpResponse<String> r = call("POST", path, body);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return JSON.readTree(r.body());
        }

        JsonNode await(String path, String body) throws Exception {
            String id = post(path, body).get("request_id").asText();
            for (int i = 0; i < 100; i++) {
                HttpResponse<String> r = call("POST", "retrieve_future", "{\"request_id\": \"" + id + "\"}");
                if (r.statusCode() == 200) {
                    JsonNode result = JSON.readTree(r.body());
                    assertThat(result.has("error")).as(r.body()).isFalse();
                    return result;
                }
            }
            throw new AssertionError(path + " never finished");
        }
    }
}
