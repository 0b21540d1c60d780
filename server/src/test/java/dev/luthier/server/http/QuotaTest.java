package dev.luthier.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A tenant over its quotas is delayed (training runs) or pushed back (sampling), and loses no request. */
class QuotaTest {
    private static final String ADMIN = "tml-quota-admin";

    @Test
    void aRunBeyondTheQuotaWaitsPausedAndASampleBeyondItGets429(@TempDir Path dir) throws Exception {
        try (TestServer s = new TestServer(dir, c -> c.withBootstrapKeys(List.of(ADMIN)).withLongPoll(Duration.ofMillis(300)))) {
            TenantClient admin = new TenantClient(s, ADMIN);
            admin.post("admin/tenants", "{\"name\": \"small\", \"max_training_runs\": 1, \"max_sampling_requests\": 1}");
            TenantClient small = new TenantClient(s, admin.post("admin/keys", "{\"tenant\": \"small\"}").get("key").asText());
            String session = small.createSession();
            String first = small.createModel(session, 0);

            String waiting = small.post("create_model", "{\"session_id\": \"" + session + "\", \"model_seq_id\": 1,"
                    + " \"base_model\": \"tiny\", \"lora_config\": {\"rank\": 2}}").get("request_id").asText();
            HttpResponse<byte[]> pending = small.call("POST", "retrieve_future", "{\"request_id\": \"" + waiting + "\"}");
            assertThat(pending.statusCode()).isEqualTo(408);
            assertThat(new ObjectMapper().readTree(pending.body()).get("queue_state").asText()).isEqualTo("paused_rate_limit");
            // Another tenant is not held back by this one's quota.
            TenantClient other = new TenantClient(s, ADMIN);
            other.createModel(other.createSession(), 0);

            small.post("unload_model", "{\"model_id\": \"" + first + "\"}");
            JsonNode created = small.poll(waiting);
            assertThat(created.has("error")).as(created.toString()).isFalse();
            assertThat(created.get("model_id").asText()).isEqualTo(session + ":train:1");

            String sampler = small.post("create_sampling_session", "{\"session_id\": \"" + session
                    + "\", \"sampling_session_seq_id\": 0, \"base_model\": \"tiny\"}").get("sampling_session_id").asText();
            String running = small.post("asample", TenantClient.sampleRequest(sampler, 0, new int[]{1}, 8, 200)).get("request_id").asText();
            String second = TenantClient.sampleRequest(sampler, 1, new int[]{2, 3}, 1, 4);
            assertThat(small.status("POST", "asample", second)).isEqualTo(429);
            assertThat(small.poll(running).get("sequences")).hasSize(8);
            // The client resends the same seq_id after the 429, and it goes through.
            JsonNode resent = small.poll(small.post("asample", second).get("request_id").asText());
            assertThat(resent.get("sequences")).hasSize(1);
        }
    }
}
