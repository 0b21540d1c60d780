package dev.luthier.cookbook.rl;

import dev.luthier.client.ClientOptions;
import dev.luthier.client.http.RetryPolicy;
import dev.luthier.engine.model.HfModelWriter;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.ModelFamily;
import dev.luthier.server.LuthierServer;
import dev.luthier.server.ServerConfig;
import dev.luthier.server.models.WorkerOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** A real Luthier server on loopback over a tiny random model (vocabulary 96) written by the test. */
public final class RlLoopbackServer implements AutoCloseable {
    static final ModelConfig TINY = ModelConfig.dense(ModelFamily.QWEN3, 96, 32, 64, 2, 4, 2, 8, 10000, true);
    public static final String MODEL = "tiny";
    static final String KEY = "tml-rl-test";

    final LuthierServer server;
    final String baseUrl;

    public RlLoopbackServer(Path dataDir) throws Exception {
        Path modelDir = dataDir.resolve("models").resolve(MODEL);
        if (!Files.exists(modelDir)) {
            HfModelWriter.writeRandom(modelDir, TINY, 11, 0.2);
        }
        server = LuthierServer.start(ServerConfig.defaults(dataDir)
                .withPort("127.0.0.1", 0)
                .withModels(Map.of(MODEL, modelDir))
                .withWorkerOptions(new WorkerOptions(4096, 8, 256, Duration.ofSeconds(30), 64), 1)
                .withLongPoll(Duration.ofSeconds(5)));
        baseUrl = "http://127.0.0.1:" + server.port();
    }

    public ClientOptions options() {
        return ClientOptions.of(baseUrl, KEY)
                .withRetry(new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(5)))
                .withHeartbeatInterval(Duration.ofMillis(500));
    }

    @Override
    public void close() {
        server.close();
    }
}
