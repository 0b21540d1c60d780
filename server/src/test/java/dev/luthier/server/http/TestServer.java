package dev.luthier.server.http;

import dev.luthier.engine.model.HfModelWriter;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.ModelFamily;
import dev.luthier.server.models.WorkerOptions;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A real server on loopback over a tiny random model written by the test, with a small HTTP client. */
final class TestServer implements AutoCloseable {
    static final ModelConfig TINY = ModelConfig.dense(ModelFamily.QWEN3, 96, 32, 64, 2, 4, 2, 8, 10000, true);
    /** A mixture-of-experts model with the same vocabulary: 4 experts, top-2, layer 1 dense. */
    static final ModelConfig TINY_MOE = new ModelConfig(ModelFamily.QWEN3_MOE, 96, 32, 64, 2, 4, 2, 8, 1e-6, 10000, null,
            4096, true, false, false, true, null, java.util.List.of(), "float32", 4, 2, 24, true, 1, java.util.List.of(1));
    static final String KEY = "tml-test-key";

    final dev.luthier.server.LuthierServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final String base;

    TestServer(Path dataDir) throws Exception {
        this(dataDir, c -> c);
    }

    /** A server whose configuration the test adjusts (bootstrap keys, database, prices). */
    TestServer(Path dataDir, java.util.function.UnaryOperator<dev.luthier.server.ServerConfig> adjust) throws Exception {
        Path modelDir = dataDir.resolve("models").resolve("tiny");
        Path moeDir = dataDir.resolve("models").resolve("tiny-moe");
        if (!java.nio.file.Files.exists(modelDir)) {
            HfModelWriter.writeRandom(modelDir, TINY, 11, 0.2);
            HfModelWriter.writeRandom(moeDir, TINY_MOE, 12, 0.2);
        }
        server = dev.luthier.server.LuthierServer.start(adjust.apply(dev.luthier.server.ServerConfig.defaults(dataDir)
                .withPort("127.0.0.1", 0)
                .withModels(java.util.Map.of("tiny", modelDir, "tiny-moe", moeDir))
                .withWorkerOptions(new WorkerOptions(4096, 8, 256, Duration.ofSeconds(30), 64), 1)
                .withLongPoll(Duration.ofSeconds(5))
                .withMaxBodyBytes(16L << 20)));
        base = "http://127.0.0.1:" + server.port() + "/api/v1/";
    }

    HttpResponse<byte[]> post(String path, String json) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("X-API-Key", KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    HttpResponse<byte[]> post(String path, byte[] body, String contentType, List<String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("X-API-Key", KEY)
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i + 1 < headers.size(); i += 2) {
            b.header(headers.get(i), headers.get(i + 1));
        }
        return send(b.build());
    }

    HttpResponse<byte[]> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("X-API-Key", KEY).GET().build());
    }

    HttpResponse<byte[]> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    @Override
    public void close() {
        server.close();
    }
}
