package dev.luthier.cookbook.loopback;

import dev.luthier.client.ClientOptions;
import dev.luthier.client.ServiceClient;
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
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real Luthier server on loopback serving tiny random Qwen3-shaped models (vocabulary 96, matching
 * {@link AsciiTokenizer}), written by the test. Each name given gets its own random weights.
 */
public final class TinyServer implements AutoCloseable {
    public static final ModelConfig TINY = ModelConfig.dense(ModelFamily.QWEN3, AsciiTokenizer.VOCAB, 32, 64, 2, 4, 2, 8,
            10000, true);
    public static final String KEY = "tml-cookbook-test";

    public final LuthierServer server;
    public final String baseUrl;

    /** Serves one random model per name; the seed of the i-th is {@code 11 + i}. */
    public TinyServer(Path dataDir, String... models) throws Exception {
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (int i = 0; i < models.length; i++) {
            Path dir = dataDir.resolve("models").resolve(models[i]);
            if (!Files.exists(dir)) {
                HfModelWriter.writeRandom(dir, TINY, 11 + i, 0.2);
                AsciiTokenizer.writeTokenizerJson(dir);
            }
            dirs.put(models[i], dir);
        }
        server = LuthierServer.start(ServerConfig.defaults(dataDir)
                .withPort("127.0.0.1", 0)
                .withModels(dirs)
                .withWorkerOptions(new WorkerOptions(4096, 8, 256, Duration.ofSeconds(30), 64), 1)
                .withLongPoll(Duration.ofSeconds(5)));
        baseUrl = "http://127.0.0.1:" + server.port();
    }

    public ClientOptions options() {
        return ClientOptions.of(baseUrl, KEY)
                .withRetry(new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(5)))
                .withHeartbeatInterval(Duration.ofMillis(500));
    }

    public ServiceClient client() {
        return new ServiceClient(options());
    }

    @Override
    public void close() {
        server.close();
    }
}
