package dev.luthier.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.server.LuthierServer;
import dev.luthier.server.ServerConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The real pretrained stories260K (with its tokenizer) served over HTTP: training lowers the loss, samples decode. */
class StoriesServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void trainsAndSamplesTheRealModel(@TempDir Path dir) throws Exception {
        Path model = Path.of(System.getProperty("luthier.shared", "../shared")).resolve("models/stories260K");
        Assumptions.assumeTrue(Files.exists(model.resolve("model.safetensors")), "skipped: " + model + " is missing");
        try (LuthierServer server = LuthierServer.start(ServerConfig.defaults(dir).withPort("127.0.0.1", 0)
                .withModels(Map.of("stories260K", model)).withLongPoll(Duration.ofSeconds(5)))) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = "http://127.0.0.1:" + server.port() + "/api/v1/";
            java.util.function.BiFunction<String, String, JsonNode> call = (path, body) -> {
                try {
                    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).header("X-API-Key", "tml-k")
                            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    JsonNode n = JSON.readTree(r.body());
                    if (!n.has("request_id")) {
                        return n;
                    }
                    while (true) {
                        HttpResponse<byte[]> p = http.send(HttpRequest.newBuilder(URI.create(base + "retrieve_future"))
                                .header("X-API-Key", "tml-k").header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"request_id\": \"" + n.get("request_id").asText() + "\"}")).build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        if (p.statusCode() != 408) {
                            return JSON.readTree(p.body());
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            };
            String session = call.apply("create_session", "{\"tags\": []}").get("session_id").asText();
            String run = call.apply("create_model", "{\"session_id\": \"" + session + "\", \"model_seq_id\": 0,"
                    + " \"base_model\": \"stories260K\", \"lora_config\": {\"rank\": 8, \"seed\": 1}}").get("model_id").asText();
            // "Once upon a time, there was a little girl named Lily." with BOS, from the model's own tokenizer golden.
            String tokens = "1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426";
            String targets = "403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 2";
            String fb = "{\"forward_backward_input\": {\"data\": [{\"model_input\": {\"chunks\": [{\"type\": \"encoded_text\", \"tokens\": ["
                    + tokens + "]}]}, \"loss_fn_inputs\": {\"target_tokens\": {\"data\": [" + targets + "], \"dtype\": \"int64\", \"shape\": [16]}}}],"
                    + " \"loss_fn\": \"cross_entropy\"}, \"model_id\": \"" + run + "\", \"seq_id\": ";
            double first = call.apply("forward_backward", fb + "1}").get("metrics").get("loss:sum").asDouble();
            call.apply("optim_step", "{\"adam_params\": {\"learning_rate\": 0.001}, \"model_id\": \"" + run + "\", \"seq_id\": 2}");
            double second = call.apply("forward_backward", fb + "3}").get("metrics").get("loss:sum").asDouble();
            assertThat(second).isLessThan(first);

            String sampler = call.apply("create_sampling_session", "{\"session_id\": \"" + session
                    + "\", \"sampling_session_seq_id\": 0, \"base_model\": \"stories260K\"}").get("sampling_session_id").asText();
            JsonNode sample = call.apply("asample", "{\"sampling_session_id\": \"" + sampler + "\", \"seq_id\": 0,"
                    + " \"prompt\": {\"chunks\": [{\"type\": \"encoded_text\", \"tokens\": [1]}]},"
                    + " \"sampling_params\": {\"max_tokens\": 20, \"temperature\": 0.0, \"stop\": [\".\"]}}");
            // Greedy from BOS the model writes "Once upon a time, there was a little girl named Lily." and the
            // stop string ends the sample at the period.
            JsonNode seq = sample.get("sequences").get(0);
            assertThat(seq.get("stop_reason").asText()).isEqualTo("stop");
            assertThat(seq.get("tokens").get(0).asInt()).isEqualTo(403);
        }
    }
}
