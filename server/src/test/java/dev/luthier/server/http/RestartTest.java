package dev.luthier.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Stop the server mid-run and start it again on the same data directory. */
class RestartTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static HttpResponse<byte[]> poll(TestServer s, String id) throws Exception {
        for (int i = 0; i < 100; i++) {
            HttpResponse<byte[]> r = s.send(HttpRequest.newBuilder(URI.create(s.base + "retrieve_future"))
                    .header("X-API-Key", TestServer.KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"request_id\": \"" + id + "\"}")).build());
            if (r.statusCode() != 408) {
                return r;
            }
        }
        throw new AssertionError("never finished");
    }

    @Test
    void savedCheckpointsAndFinishedResultsSurviveARestartAndInFlightWorkFailsWithAMessage(@TempDir Path dir) throws Exception {
        String finishedId;
        String inFlightId;
        String checkpoint;
        double lossAfterSave;
        String session;
        try (TestServer s = new TestServer(dir)) {
            session = json(s.post("create_session", "{\"tags\": [], \"sdk_version\": \"0.24.1\"}")).get("session_id").asText();
            String created = json(s.post("create_model", "{\"session_id\": \"" + session + "\", \"model_seq_id\": 0,"
                    + " \"base_model\": \"tiny\", \"lora_config\": {\"rank\": 4, \"seed\": 1}}")).get("request_id").asText();
            String model = json(poll(s, created)).get("model_id").asText();
            json(poll(s, json(s.post("forward_backward", HttpProtocolTest.fwdBwdJson(model, 1, "cross_entropy"))).get("request_id").asText()));
            json(poll(s, json(s.post("optim_step", "{\"adam_params\": {\"learning_rate\": 0.02}, \"model_id\": \"" + model
                    + "\", \"seq_id\": 2}")).get("request_id").asText()));
            JsonNode saved = json(poll(s, json(s.post("save_weights", "{\"model_id\": \"" + model
                    + "\", \"path\": \"before-restart\", \"seq_id\": 3}")).get("request_id").asText()));
            checkpoint = saved.get("path").asText();
            finishedId = json(s.post("forward_backward", HttpProtocolTest.fwdBwdJson(model, 4, "cross_entropy"))).get("request_id").asText();
            lossAfterSave = json(poll(s, finishedId)).get("metrics").get("loss:sum").asDouble();
            // seq_id 6 without 5: it waits in the queue when the server stops.
            inFlightId = json(s.post("forward_backward", HttpProtocolTest.fwdBwdJson(model, 6, "cross_entropy"))).get("request_id").asText();
        }
        try (TestServer s = new TestServer(dir)) {
            JsonNode finished = json(poll(s, finishedId));
            assertThat(finished.get("metrics").get("loss:sum").asDouble()).isEqualTo(lossAfterSave);
            JsonNode lost = json(poll(s, inFlightId));
            assertThat(lost.get("category").asText()).isEqualTo("server");
            assertThat(lost.get("error").asText()).containsIgnoringCase("restart");

            String created = json(s.post("create_model", "{\"session_id\": \"" + session + "\", \"model_seq_id\": 1,"
                    + " \"base_model\": \"tiny\", \"lora_config\": {\"rank\": 4, \"seed\": 99}}")).get("request_id").asText();
            String model = json(poll(s, created)).get("model_id").asText();
            JsonNode loaded = json(poll(s, json(s.post("load_weights", "{\"model_id\": \"" + model + "\", \"seq_id\": 1,"
                    + " \"path\": \"" + checkpoint + "\", \"optimizer\": true}")).get("request_id").asText()));
            assertThat(loaded.has("error")).as(loaded.toString()).isFalse();
            double loss = json(poll(s, json(s.post("forward_backward", HttpProtocolTest.fwdBwdJson(model, 2, "cross_entropy")))
                    .get("request_id").asText())).get("metrics").get("loss:sum").asDouble();
            assertThat(loss).isCloseTo(lossAfterSave, org.assertj.core.data.Offset.offset(1e-6 * Math.abs(lossAfterSave)));
        }
    }
}
