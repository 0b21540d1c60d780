package dev.luthier.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole server on PostgreSQL ({@code --database jdbc:postgresql://...?user=postgres} on 127.0.0.1:5432, a fresh
 * database per run): tenants, training, usage and audit, then a restart that loses nothing saved. Skipped, with a
 * message, when no PostgreSQL answers.
 */
class PostgresServerTest {
    private static final String SERVER = System.getProperty("luthier.test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/");
    private static final String USER = System.getProperty("luthier.test.postgres.user", "postgres");
    private static final String ADMIN = "tml-postgres-admin";
    private static String database;
    private static String unreachable;

    @BeforeAll
    static void createDatabase() {
        String name = "luthier_server_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
            database = name;
        } catch (SQLException e) {
            unreachable = "PostgreSQL does not answer at " + SERVER + " as " + USER + " (" + e.getMessage()
                    + "): skipping the server test on PostgreSQL";
            System.err.println(unreachable);
        }
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        if (database != null) {
            try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
        }
    }

    private static Connection connect(String db) throws SQLException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", USER);
        p.setProperty("connectTimeout", "3");
        return DriverManager.getConnection(SERVER + db, p);
    }

    @Test
    void tenantsTrainingUsageAndARestartOnPostgresql(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(database != null, () -> unreachable);
        String url = SERVER + database + "?user=" + USER;
        String key;
        String session;
        String checkpoint;
        String finishedId;
        String inFlightId;
        double lossAfterSave;
        try (TestServer s = new TestServer(dir, c -> c.withDatabaseUrl(url).withBootstrapKeys(List.of(ADMIN)))) {
            assertThat(s.server.storage().database().dialect()).isEqualTo(dev.luthier.server.storage.db.Dialect.POSTGRESQL);
            TenantClient admin = new TenantClient(s, ADMIN);
            admin.post("admin/tenants", "{\"name\": \"lab\"}");
            key = admin.post("admin/keys", "{\"tenant\": \"lab\"}").get("key").asText();
            TenantClient lab = new TenantClient(s, key);
            session = lab.createSession();
            String model = lab.createModel(session, 0);
            lab.await("forward_backward", TenantClient.batch(model, 1, false, new int[]{1, 2, 3, 4, 5}));
            lab.await("optim_step", "{\"adam_params\": {\"learning_rate\": 0.02}, \"model_id\": \"" + model + "\", \"seq_id\": 2}");
            checkpoint = lab.await("save_weights", "{\"model_id\": \"" + model + "\", \"path\": \"kept\", \"seq_id\": 3}")
                    .get("path").asText();
            finishedId = lab.post("forward", TenantClient.batch(model, 4, true, new int[]{1, 2, 3, 4, 5})).get("request_id").asText();
            lossAfterSave = lab.poll(finishedId).get("metrics").get("loss:sum").asDouble();
            // seq_id 6 without 5: still waiting when the server stops.
            inFlightId = lab.post("forward_backward", TenantClient.batch(model, 6, false, new int[]{1, 2})).get("request_id").asText();
        }
        try (TestServer s = new TestServer(dir, c -> c.withDatabaseUrl(url).withBootstrapKeys(List.of(ADMIN)))) {
            TenantClient lab = new TenantClient(s, key);
            TenantClient other = new TenantClient(s, new TenantClient(s, ADMIN).post("admin/keys", "{\"tenant\": \"default\"}")
                    .get("key").asText());
            assertThat(lab.poll(finishedId).get("metrics").get("loss:sum").asDouble()).isEqualTo(lossAfterSave);
            JsonNode lost = lab.poll(inFlightId);
            assertThat(lost.get("error").asText()).containsIgnoringCase("restart");
            assertThat(other.status("POST", "retrieve_future", "{\"request_id\": \"" + finishedId + "\"}")).isEqualTo(404);
            assertThat(lab.get("checkpoints").get("checkpoints").findValuesAsText("tinker_path")).containsExactly(checkpoint);
            assertThat(other.get("checkpoints").get("checkpoints")).isEmpty();

            String model = lab.createModel(session, 1);
            JsonNode loaded = lab.await("load_weights", "{\"model_id\": \"" + model + "\", \"seq_id\": 1, \"path\": \"" + checkpoint
                    + "\", \"optimizer\": true}");
            assertThat(loaded.has("error")).as(loaded.toString()).isFalse();
            double loss = lab.await("forward", TenantClient.batch(model, 2, true, new int[]{1, 2, 3, 4, 5})).get("metrics")
                    .get("loss:sum").asDouble();
            assertThat(loss).isCloseTo(lossAfterSave, org.assertj.core.data.Offset.offset(1e-6 * Math.abs(lossAfterSave)));

            // Usage written before the restart is still there: 5 trained tokens, 5 prefilled by the forward, 1 checkpoint.
            long trained = 0;
            long checkpoints = 0;
            for (JsonNode e : lab.get("billing/usage/events").get("data")) {
                JsonNode info = e.get("event_info");
                switch (info.get("type").asText()) {
                    case "training" -> trained += info.get("token_count").asLong();
                    case "checkpoint" -> checkpoints += info.get("count").asLong();
                    default -> {
                    }
                }
            }
            assertThat(trained).isEqualTo(5);
            assertThat(checkpoints).isEqualTo(1);
            assertThat(lab.get("audit").toString()).contains("checkpoint_saved").contains(checkpoint).contains("checkpoint_loaded");
        }
    }
}
