package dev.luthier.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.luthier.server.service.LuthierService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** /metrics, request ids, and a graceful shutdown that refuses new work and fails what cannot finish. */
class OperationsTest {
    private static final String ADMIN = "tml-ops-admin";

    @Test
    void metricsRequestIdsAndGracefulShutdown(@TempDir Path dir) throws Exception {
        String gap;
        String tenantId;
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Path prices = dir.resolve("prices.json");
        java.nio.file.Files.writeString(prices, "{\"tiny\": {\"train\": 0.4, \"prefill\": 0.1, \"sample\": 0.3}}");
        dev.luthier.server.usage.Prices table = dev.luthier.server.usage.Prices.read(prices);
        TestServer s = new TestServer(dir, c -> c.withBootstrapKeys(List.of(ADMIN)).withLongPoll(Duration.ofMillis(200))
                .withPrices(table));
        try {
            TenantClient admin = new TenantClient(s, ADMIN);
            tenantId = admin.post("admin/tenants", "{\"name\": \"ops\"}").get("id").asText();
            TenantClient ops = new TenantClient(s, admin.post("admin/keys", "{\"tenant\": \"ops\"}").get("key").asText());
            String model = ops.createModel(ops.createSession(), 0);
            // The price of a batch before it runs: 12 345 training tokens at 0.4 per million.
            JsonNode estimate = ops.post("billing/estimate", "{\"base_model\": \"tiny\", \"kind\": \"train\", \"token_count\": 12345}");
            assertThat(estimate.get("cost").decimalValue()).isEqualByComparingTo("0.004938");
            assertThat(ops.status("POST", "billing/estimate", "{\"base_model\": \"other\", \"kind\": \"train\", \"token_count\": 1}"))
                    .isEqualTo(400);
            ops.await("forward_backward", TenantClient.batch(model, 1, false, new int[]{1, 2, 3, 4, 5}, new int[]{6, 7}));
            // seq_id 3 without 2 waits: one request pending for the tenant.
            gap = ops.post("forward_backward", TenantClient.batch(model, 3, false, new int[]{1, 2})).get("request_id").asText();

            String metrics = scrapeUntil(s, "luthier_tokens_total{kind=\"training\"} 7.0");
            assertThat(metrics).contains("luthier_training_passes_total 1.0")
                    .contains("luthier_training_pass_tokens_total 7.0")
                    .contains("luthier_requests_pending{tenant=\"" + tenantId + "\"} 1.0")
                    .contains("luthier_base_models_loaded 1.0")
                    .contains("luthier_adapters_loaded 1.0")
                    .contains("hikaricp_connections_active");

            HttpResponse<byte[]> echoed = s.send(HttpRequest.newBuilder(URI.create(s.base + "healthz")).header("X-Request-Id", "trace-42").GET().build());
            assertThat(echoed.headers().firstValue("X-Request-Id")).contains("trace-42");
            HttpResponse<byte[]> fresh = s.send(HttpRequest.newBuilder(URI.create(s.base + "healthz")).GET().build());
            assertThat(fresh.headers().firstValue("X-Request-Id").orElseThrow()).hasSize(36);

            // Stopping: new work is refused with 503 while the gap request is given its grace, then it fails.
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> s.server.close(Duration.ofSeconds(2)));
            int refused = 0;
            for (int i = 0; i < 40 && refused == 0; i++) {
                Thread.sleep(25);
                int status = ops.status("POST", "forward_backward", TenantClient.batch(model, 4, false, new int[]{1}));
                refused = status == 503 ? 1 : 0;
            }
            assertThat(refused).as("a submission during the shutdown answered 503").isEqualTo(1);
            stopping.join();
        } finally {
            s.close();
        }
        try (TestServer again = new TestServer(dir, c -> c.withBootstrapKeys(List.of(ADMIN)))) {
            String key = again.server.tenantAdmin().createKey("ops", "after", false, null).secret();
            JsonNode failed = new TenantClient(again, key).poll(gap);
            assertThat(failed.get("error").asText()).isEqualTo(LuthierService.SHUT_DOWN);
            assertThat(failed.get("category").asText()).isEqualTo("server");
        }
    }

    private static String scrapeUntil(TestServer s, String expected) throws Exception {
        String text = "";
        for (int i = 0; i < 100 && !text.contains(expected); i++) {
            HttpResponse<String> r = s.http.send(HttpRequest.newBuilder(URI.create(s.base.replace("/api/v1/", "/metrics"))).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            text = r.body();
            if (!text.contains(expected)) {
                Thread.sleep(50);
            }
        }
        assertThat(text).contains(expected);
        return text;
    }
}
