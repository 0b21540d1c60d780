package dev.luthier.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The same client calls train and sample a dense model and a mixture-of-experts model: only base_model differs. */
class BaseModelSwitchTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode result(TestServer s, HttpResponse<byte[]> submit) throws Exception {
        assertThat(submit.statusCode()).as(new String(submit.body())).isEqualTo(200);
        String id = JSON.readTree(submit.body()).get("request_id").asText();
        for (int i = 0; i < 200; i++) {
            HttpResponse<byte[]> r = s.post("retrieve_future", "{\"request_id\": \"" + id + "\"}");
            if (r.statusCode() != 408) {
                JsonNode n = JSON.readTree(r.body());
                assertThat(n.has("error")).as(n.toString()).isFalse();
                return n;
            }
        }
        throw new AssertionError("never finished");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny-moe"})
    void trainingLowersTheLossAndSamplingWorks(String baseModel, @TempDir Path dir) throws Exception {
        try (TestServer s = new TestServer(dir)) {
            String session = JSON.readTree(s.post("create_session", "{\"tags\": []}").body()).get("session_id").asText();
            String model = result(s, s.post("create_model", "{\"session_id\": \"" + session + "\", \"model_seq_id\": 0,"
                    + " \"base_model\": \"" + baseModel + "\", \"lora_config\": {\"rank\": 4, \"seed\": 5}}")).get("model_id").asText();
            double first = 0;
            double last = 0;
            int seq = 1;
            for (int step = 0; step < 8; step++) {
                HttpResponse<byte[]> fb = s.post("forward_backward", HttpProtocolTest.fwdBwdJson(model, seq++, "cross_entropy"));
                HttpResponse<byte[]> opt = s.post("optim_step", "{\"adam_params\": {\"learning_rate\": 0.02}, \"model_id\": \""
                        + model + "\", \"seq_id\": " + seq++ + "}");
                double loss = result(s, fb).get("metrics").get("loss:sum").asDouble();
                result(s, opt);
                if (step == 0) {
                    first = loss;
                }
                last = loss;
            }
            assertThat(last).isLessThan(first);
            String path = result(s, s.post("save_weights_for_sampler", "{\"model_id\": \"" + model + "\", \"path\": \"final\", \"seq_id\": "
                    + seq + "}")).get("path").asText();
            String sampler = JSON.readTree(s.post("create_sampling_session", "{\"session_id\": \"" + session
                    + "\", \"sampling_session_seq_id\": 0, \"model_path\": \"" + path + "\"}").body()).get("sampling_session_id").asText();
            JsonNode sample = result(s, s.post("asample", "{\"sampling_session_id\": \"" + sampler + "\", \"seq_id\": 0, \"num_samples\": 2,"
                    + " \"prompt\": {\"chunks\": [{\"type\": \"encoded_text\", \"tokens\": [1, 2, 3]}]},"
                    + " \"sampling_params\": {\"max_tokens\": 6, \"seed\": 1, \"temperature\": 1.0}}"));
            assertThat(sample.get("sequences")).hasSize(2);
            assertThat(sample.get("sequences").get(0).get("tokens")).hasSize(6);
        }
    }
}
