package dev.luthier.cookbook.testing;

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
import java.util.Map;

/**
 * A real Luthier server on loopback over a tiny random Qwen3-shaped model whose vocabulary is
 * {@link AsciiTokenizer}'s 128 ids, written by the test.
 */
public final class TinyServer implements AutoCloseable {
    public static final ModelConfig TINY = ModelConfig.dense(ModelFamily.QWEN3, AsciiTokenizer.VOCAB, 32, 64, 2, 4, 2, 8, 10000, true);
    public static final String MODEL = "tiny-ascii";
    public static final String KEY = "tml-cookbook-test";

    public final LuthierServer server;
    public final String baseUrl;

    public TinyServer(Path dataDir) throws Exception {
        Path modelDir = dataDir.resolve("models").resolve(MODEL);
        if (!Files.exists(modelDir)) {
            HfModelWriter.writeRandom(modelDir, TINY, 5, 0.2);
            AsciiTokenizer.writeTokenizerJson(modelDir); // so the server can stop on strings
        }
        server = LuthierServer.start(ServerConfig.defaults(dataDir)
                .withPort("127.0.0.1", 0)
                .withModels(Map.of(MODEL, modelDir))
                .withWorkerOptions(new WorkerOptions(4096, 4, 256, Duration.ofSeconds(30), 64), 1)
                .withLongPoll(Duration.ofSeconds(5)));
        baseUrl = "http://127.0.0.1:" + server.port();
    }

    public ServiceClient client() {
        return new ServiceClient(ClientOptions.of(baseUrl, KEY)
                .withRetry(new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(5)))
                .withHeartbeatInterval(Duration.ofMillis(500)));
    }

    @Override
    public void close() {
        server.close();
    }
}
