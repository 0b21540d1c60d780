package dev.luthier.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Two tenants with their own keys on one server: each one's results equal what it gets alone, every cross-tenant
 * access answers 404, published checkpoints are readable (never writable) by the other, usage is metered exactly,
 * keys are stored hashed and revoked keys fail at once.
 */
class TenantIsolationTest {
    private static final String ADMIN = "tml-admin-bootstrap-key";
    @TempDir
    static Path dir;
    static TestServer server;
    static TenantClient admin;
    static TenantClient acme;
    static TenantClient globex;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer(dir, c -> c.withBootstrapKeys(List.of(ADMIN)));
        admin = new TenantClient(server, ADMIN);
        admin.post("admin/tenants", "{\"name\": \"acme\"}");
        admin.post("admin/tenants", "{\"name\": \"globex\"}");
        acme = new TenantClient(server, admin.post("admin/keys", "{\"tenant\": \"acme\", \"name\": \"ci\"}").get("key").asText());
        globex = new TenantClient(server, admin.post("admin/keys", "{\"tenant\": \"globex\"}").get("key").asText());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** What one tenant's script produced. */
    record Outcome(String session, String model, String sampler, String requestId, String weights, String samplerWeights,
                   double trainLoss, double forwardLoss, List<List<Integer>> samples) {
        int sampledTokens() {
            return samples.stream().mapToInt(List::size).sum();
        }
    }

    /** Train one step on 5 + 3 tokens, forward 5 tokens, save twice, sample 2 x 3 tokens from a 4-token prompt. */
    static Outcome script(TenantClient c) throws Exception {
        String session = c.createSession();
        String model = c.createModel(session, 0);
        JsonNode fb = c.await("forward_backward", TenantClient.batch(model, 1, false, new int[]{1, 2, 3, 4, 5}, new int[]{7, 8, 9}));
        c.await("optim_step", "{\"adam_params\": {\"learning_rate\": 0.05}, \"model_id\": \"" + model + "\", \"seq_id\": 2}");
        JsonNode fwdSubmit = c.post("forward", TenantClient.batch(model, 3, true, new int[]{1, 2, 3, 4, 5}));
        JsonNode fwd = c.poll(fwdSubmit.get("request_id").asText());
        String weights = c.await("save_weights", "{\"model_id\": \"" + model + "\", \"path\": \"w\", \"seq_id\": 4}").get("path").asText();
        String samplerWeights = c.await("save_weights_for_sampler", "{\"model_id\": \"" + model + "\", \"path\": \"s\", \"seq_id\": 5}")
                .get("path").asText();
        String sampler = c.post("create_sampling_session", "{\"session_id\": \"" + session + "\", \"sampling_session_seq_id\": 0,"
                + " \"model_path\": \"" + samplerWeights + "\"}").get("sampling_session_id").asText();
        JsonNode sample = c.await("asample", TenantClient.sampleRequest(sampler, 0, new int[]{1, 2, 3, 4}, 2, 3));
        List<List<Integer>> samples = new ArrayList<>();
        for (JsonNode seq : sample.get("sequences")) {
            List<Integer> tokens = new ArrayList<>();
            seq.get("tokens").forEach(t -> tokens.add(t.asInt()));
            samples.add(tokens);
        }
        return new Outcome(session, model, sampler, fwdSubmit.get("request_id").asText(), weights, samplerWeights,
                fb.get("metrics").get("loss:sum").asDouble(), fwd.get("metrics").get("loss:sum").asDouble(), samples);
    }

    @Test
    void twoTenantsAtOnceGetWhatEachGetsAloneAndNeverSeeTheOther() throws Exception {
        CompletableFuture<Outcome> a = CompletableFuture.supplyAsync(() -> run(acme));
        CompletableFuture<Outcome> b = CompletableFuture.supplyAsync(() -> run(globex));
        Outcome concurrentA = a.join();
        Outcome concurrentB = b.join();
        Outcome alone = script(acme);

        // Same script, same seeds: what ran beside the other tenant equals what ran alone (up to summation order).
        for (Outcome o : List.of(concurrentA, concurrentB)) {
            assertThat(o.trainLoss()).isCloseTo(alone.trainLoss(), within(1e-4 * Math.abs(alone.trainLoss())));
            assertThat(o.forwardLoss()).isCloseTo(alone.forwardLoss(), within(1e-4 * Math.abs(alone.forwardLoss())));
            assertThat(o.samples()).isEqualTo(alone.samples());
        }
        assertThat(alone.forwardLoss()).isNotCloseTo(alone.trainLoss() * 5 / 8, within(1e-6)); // the step changed the adapter

        Outcome mine = concurrentB;
        Outcome theirs = concurrentA;
        String run = "training_runs/" + theirs.model();
        // Reads of another tenant's objects answer 404, exactly as objects that do not exist.
        assertThat(globex.status("GET", run, null)).isEqualTo(404);
        assertThat(globex.status("GET", run + "/checkpoints", null)).isEqualTo(404);
        assertThat(globex.status("GET", run + "/checkpoints/weights/w/archive", null)).isEqualTo(404);
        assertThat(globex.status("GET", "sessions/" + theirs.session(), null)).isEqualTo(404);
        assertThat(globex.status("GET", "sessions/" + theirs.session() + "/trace_export", null)).isEqualTo(404);
        assertThat(globex.status("GET", "samplers/" + theirs.sampler(), null)).isEqualTo(404);
        assertThat(globex.status("POST", "get_info", "{\"model_id\": \"" + theirs.model() + "\"}")).isEqualTo(404);
        assertThat(globex.status("POST", "weights_info", "{\"tinker_path\": \"" + theirs.weights() + "\"}")).isEqualTo(404);
        assertThat(globex.status("POST", "retrieve_future", "{\"request_id\": \"" + theirs.requestId() + "\"}")).isEqualTo(404);
        // ... and so do writes.
        assertThat(globex.status("POST", "forward_backward", TenantClient.batch(theirs.model(), 6, false, new int[]{1, 2}))).isEqualTo(404);
        assertThat(globex.status("POST", "session_heartbeat", "{\"session_id\": \"" + theirs.session() + "\"}")).isEqualTo(404);
        assertThat(globex.status("POST", "create_model", "{\"session_id\": \"" + theirs.session() + "\", \"model_seq_id\": 5,"
                + " \"base_model\": \"tiny\"}")).isEqualTo(404);
        assertThat(globex.status("POST", "create_sampling_session", "{\"session_id\": \"" + theirs.session()
                + "\", \"sampling_session_seq_id\": 5, \"base_model\": \"tiny\"}")).isEqualTo(404);
        assertThat(globex.status("POST", "create_sampling_session", "{\"session_id\": \"" + mine.session()
                + "\", \"sampling_session_seq_id\": 5, \"model_path\": \"" + theirs.samplerWeights() + "\"}")).isEqualTo(404);
        assertThat(globex.status("POST", "asample", TenantClient.sampleRequest(theirs.sampler(), 9, new int[]{1}, 1, 1))).isEqualTo(404);
        assertThat(globex.status("POST", "unload_model", "{\"model_id\": \"" + theirs.model() + "\"}")).isEqualTo(404);
        assertThat(globex.status("POST", run + "/checkpoints/weights/w/publish", null)).isEqualTo(404);
        assertThat(globex.status("PUT", run + "/checkpoints/weights/w/ttl", "{\"ttl_seconds\": 60}")).isEqualTo(404);
        assertThat(globex.status("DELETE", run + "/checkpoints/weights/w", null)).isEqualTo(404);
        // An unpublished checkpoint of another tenant cannot be loaded, into a run or as a new one.
        JsonNode load = globex.await("load_weights", "{\"model_id\": \"" + mine.model() + "\", \"path\": \"" + theirs.weights()
                + "\", \"seq_id\": 6}");
        assertThat(load.get("category").asText()).isEqualTo("user");
        assertThat(load.get("error").asText()).contains("not found");
        JsonNode create = globex.await("load_weights", "{\"session_id\": \"" + mine.session() + "\", \"model_seq_id\": 7,"
                + " \"path\": \"" + theirs.weights() + "\"}");
        assertThat(create.get("error").asText()).contains("not found");

        // Listings show only the caller's own.
        assertThat(ids(globex.get("training_runs?limit=100"), "training_runs", "training_run_id"))
                .contains(mine.model()).doesNotContain(theirs.model(), alone.model());
        assertThat(ids(globex.get("checkpoints?limit=100"), "checkpoints", "tinker_path"))
                .contains(mine.weights()).doesNotContain(theirs.weights());
        assertThat(globex.get("sessions?limit=100").get("sessions").toString()).contains(mine.session()).doesNotContain(theirs.session());
        assertThat(globex.get("billing/usage/events").toString()).contains(mine.session()).doesNotContain(theirs.session());
        assertThat(globex.status("GET", run + "/usage", null)).isEqualTo(404);
        assertThat(globex.get("training_runs/" + mine.model() + "/usage").toString()).contains("\"token_count\":8");
        assertThat(globex.get("audit").toString()).contains(mine.weights()).doesNotContain(theirs.weights());

        // Published: readable and loadable by the other tenant, still not writable.
        assertThat(acme.status("POST", run + "/checkpoints/weights/w/publish", null)).isEqualTo(204);
        assertThat(globex.post("weights_info", "{\"tinker_path\": \"" + theirs.weights() + "\"}").get("lora_rank").asInt()).isEqualTo(4);
        JsonNode loaded = globex.await("load_weights", "{\"model_id\": \"" + mine.model() + "\", \"path\": \"" + theirs.weights()
                + "\", \"seq_id\": 7}");
        assertThat(loaded.has("error")).as(loaded.toString()).isFalse();
        JsonNode copy = globex.await("load_weights", "{\"session_id\": \"" + mine.session() + "\", \"model_seq_id\": 9,"
                + " \"path\": \"" + theirs.weights() + "\"}");
        assertThat(copy.has("error")).as(copy.toString()).isFalse();
        assertThat(globex.status("DELETE", run + "/checkpoints/weights/w/publish", null)).isEqualTo(404);
        assertThat(globex.status("DELETE", run + "/checkpoints/weights/w", null)).isEqualTo(404);
        assertThat(acme.post("weights_info", "{\"tinker_path\": \"" + theirs.weights() + "\"}").get("base_model").asText()).isEqualTo("tiny");
        assertThat(acme.get("audit?event_type=checkpoints").toString()).contains("checkpoint_published");

        // Usage: exactly the scripted counts, per tenant.
        Map<String, Double> acmeUsage = usageByKind(acme, 2 * 8);
        assertThat(acmeUsage).containsEntry("training", 16.0)
                .containsEntry("sampling_prefill", 2.0 * (5 + 4)).containsEntry("sampling_prefill_cached", 0.0)
                .containsEntry("sampling_sample", (double) (concurrentA.sampledTokens() + alone.sampledTokens()))
                .containsEntry("checkpoint", 4.0);
        Map<String, Double> globexUsage = usageByKind(globex, 8);
        assertThat(globexUsage).containsEntry("training", 8.0).containsEntry("sampling_prefill", 9.0)
                .containsEntry("sampling_sample", (double) concurrentB.sampledTokens()).containsEntry("checkpoint", 2.0);
    }

    /**
     * Usage and audit are recorded after a request completes, off the worker; a client that has seen a result reads
     * usage and audit that include it, every time (each round checks right after the result).
     */
    @Test
    void usageAndAuditIncludeEveryRequestTheClientHasSeenFinish() throws Exception {
        String session = acme.createSession();
        String model = acme.createModel(session, 0);
        int seq = 1;
        for (int round = 1; round <= 15; round++) {
            acme.await("forward_backward", TenantClient.batch(model, seq++, false, new int[]{1, 2, 3, 4, 5}));
            long trained = 0;
            for (JsonNode e : acme.get("training_runs/" + model + "/usage").get("data")) {
                if (e.get("event_info").get("type").asText().equals("training")) {
                    trained += e.get("event_info").get("token_count").asLong();
                }
            }
            assertThat(trained).as("round " + round).isEqualTo(5L * round);
            String path = acme.await("save_weights", "{\"model_id\": \"" + model + "\", \"path\": \"r" + round
                    + "\", \"seq_id\": " + seq++ + "}").get("path").asText();
            assertThat(acme.get("audit?event_type=checkpoints").toString()).as("round " + round).contains(path);
        }
    }

    @Test
    void missingWrongAndRevokedKeysGet401AndKeysAreStoredHashed() throws Exception {
        String secret = admin.post("admin/keys", "{\"tenant\": \"globex\", \"name\": \"temp\"}").get("key").asText();
        TenantClient temp = new TenantClient(server, secret);
        assertThat(temp.status("GET", "training_runs", null)).isEqualTo(200);
        assertThat(new TenantClient(server, null).status("GET", "training_runs", null)).isEqualTo(401);
        assertThat(new TenantClient(server, "tml-not-a-key").status("GET", "training_runs", null)).isEqualTo(401);
        assertThat(new TenantClient(server, "not-tml").status("GET", "training_runs", null)).isEqualTo(401);
        // A tenant's key is not an admin key.
        assertThat(temp.status("POST", "admin/keys", "{\"tenant\": \"globex\"}")).isEqualTo(403);

        String id = admin.get("admin/keys?tenant=globex").get("keys").findValuesAsText("id").stream()
                .filter(k -> k.equals(keyId(secret))).findFirst().orElseThrow();
        assertThat(admin.status("DELETE", "admin/keys/" + id, null)).isEqualTo(200);
        assertThat(temp.status("GET", "training_runs", null)).isEqualTo(401);
        assertThat(admin.status("DELETE", "admin/keys/" + id, null)).isEqualTo(400);

        // No key appears in clear anywhere in the database file (or its write-ahead log).
        for (String name : List.of("luthier.db", "luthier.db-wal")) {
            Path file = dir.resolve(name);
            if (Files.exists(file)) {
                String bytes = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(bytes).doesNotContain(secret).doesNotContain(ADMIN).doesNotContain(acme.key);
            }
        }
        assertThat(server.server.storage().apiKeys().findByHash(dev.luthier.server.storage.keys.KeyHash.of(secret))).isPresent();
    }

    private static String keyId(String secret) {
        return server.server.storage().apiKeys().findByHash(dev.luthier.server.storage.keys.KeyHash.of(secret)).orElseThrow().id();
    }

    private static Outcome run(TenantClient c) {
        try {
            return script(c);
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static List<String> ids(JsonNode listing, String field, String id) {
        List<String> out = new ArrayList<>();
        listing.get(field).forEach(n -> out.add(n.get(id).asText()));
        return out;
    }

    /** Usage summed by event type (prefill split by cache hits), once the training tokens reach what was trained. */
    private static Map<String, Double> usageByKind(TenantClient c, long trainedTokens) throws Exception {
        Map<String, Double> sums = new HashMap<>();
        for (int attempt = 0; attempt < 100; attempt++) {
            sums.clear();
            for (JsonNode e : c.get("billing/usage/events").get("data")) {
                JsonNode info = e.get("event_info");
                String type = info.get("type").asText();
                if (type.equals("sampling_prefill") && info.get("cached").asBoolean()) {
                    type = "sampling_prefill_cached";
                }
                double amount = info.has("token_count") ? info.get("token_count").asDouble()
                        : info.has("count") ? info.get("count").asDouble() : info.get("gigabyte_hours").asDouble();
                sums.merge(type, amount, Double::sum);
            }
            if (sums.getOrDefault("training", 0.0) >= trainedTokens && sums.containsKey("sampling_sample")
                    && sums.getOrDefault("checkpoint", 0.0) * 4 >= trainedTokens) {
                return sums;
            }
            Thread.sleep(50);
        }
        return sums;
    }
}
