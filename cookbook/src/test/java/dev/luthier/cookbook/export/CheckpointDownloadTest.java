package dev.luthier.cookbook.export;

import com.sun.net.httpserver.HttpServer;
import dev.luthier.client.ClientOptions;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.http.RetryPolicy;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Downloading through an API server that answers the archive request with a redirect to a signed link, which redirects
 * again to a storage server on another port (as object stores do); the API key must reach only the API server.
 */
class CheckpointDownloadTest {
    private static final String KEY = "tml-download-test";
    private static final String CKPT = "tinker://run1/sampler_weights/final";

    /** A loopback HTTP server answering each path from a table, recording the headers of every request. */
    static final class Loopback implements AutoCloseable {
        record Reply(int status, Map<String, String> headers, byte[] body) {
        }

        record Seen(String path, Map<String, List<String>> headers) {
        }

        final HttpServer http;
        final Map<String, Reply> replies = new ConcurrentHashMap<>();
        final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());

        Loopback() throws IOException {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                seen.add(new Seen(path, Map.copyOf(exchange.getRequestHeaders())));
                exchange.getRequestBody().readAllBytes();
                Reply r = replies.getOrDefault(path, new Reply(404, Map.of(), ("nothing at " + path).getBytes(StandardCharsets.UTF_8)));
                r.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
                exchange.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
                if (r.body().length > 0) {
                    exchange.getResponseBody().write(r.body());
                }
                exchange.close();
            });
            http.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + http.getAddress().getPort() + path;
        }

        void redirect(String path, int status, String location) {
            replies.put(path, new Reply(status, Map.of("Location", location), new byte[0]));
        }

        void answer(String path, int status, String body) {
            replies.put(path, new Reply(status, Map.of(), body.getBytes(StandardCharsets.UTF_8)));
        }

        List<Seen> to(String path) {
            synchronized (seen) {
                return seen.stream().filter(s -> s.path().equals(path)).toList();
            }
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    Loopback api;
    Loopback storage;

    @BeforeEach
    void start() throws IOException {
        api = new Loopback();
        storage = new Loopback();
        api.answer("/api/v1/client/config", 200, "{}");
    }

    @AfterEach
    void stop() {
        api.close();
        storage.close();
    }

    private static byte[] archive(Map<String, String> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            for (Map.Entry<String, String> f : files.entrySet()) {
                byte[] body = f.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(body.length);
                tar.putArchiveEntry(e);
                tar.write(body);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void followsTheRedirectsToAnotherHostWithoutTheApiKey(@TempDir Path dir) throws Exception {
        String archivePath = "/api/v1/training_runs/run1/checkpoints/sampler_weights/final/archive";
        api.redirect(archivePath, 302, api.url("/signed/final?sig=1"));
        api.redirect("/signed/final", 307, storage.url("/bucket/final.tar.gz?sig=2"));
        storage.replies.put("/bucket/final.tar.gz", new Loopback.Reply(200, Map.of("Content-Type", "application/gzip"),
                archive(Map.of("final/adapter_config.json", "{\"r\": 4}", "final/adapter_model.safetensors", "weights"))));

        List<Path> files;
        try (ServiceClient service = new ServiceClient(ClientOptions.of(api.url(""), KEY)
                .withRetry(new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(2))))) {
            files = CheckpointDownload.download(service.createRestClient(), CKPT, dir.resolve("out"));
        }
        assertThat(files).containsExactlyInAnyOrder(dir.resolve("out/adapter_config.json").toAbsolutePath(),
                dir.resolve("out/adapter_model.safetensors").toAbsolutePath());
        assertThat(dir.resolve("out/adapter_config.json")).hasContent("{\"r\": 4}");
        assertThat(dir.resolve("out/adapter_model.safetensors")).hasContent("weights");

        assertThat(api.to(archivePath)).singleElement().satisfies(s -> assertThat(s.headers().get("X-api-key")).containsExactly(KEY));
        assertThat(api.to("/signed/final")).singleElement().satisfies(s -> assertThat(s.headers()).doesNotContainKey("X-api-key"));
        assertThat(storage.to("/bucket/final.tar.gz")).singleElement()
                .satisfies(s -> assertThat(s.headers()).doesNotContainKey("X-api-key").doesNotContainKey("Authorization"));
    }

    @Test
    void errorsLoopsAndEndlessRedirectsAreClearErrors(@TempDir Path dir) {
        Path file = dir.resolve("a.tar.gz");
        storage.answer("/gone.tar.gz", 403, "<Error>Request has expired</Error>");
        api.redirect("/expired", 302, storage.url("/gone.tar.gz?sig=secret"));
        assertThatThrownBy(() -> CheckpointDownload.fetch(CKPT, api.url("/expired"), file))
                .hasMessageContaining("HTTP 403").hasMessageContaining("Request has expired")
                .hasMessageContaining(storage.url("/gone.tar.gz")).hasMessageNotContaining("secret");

        storage.answer("/broken.tar.gz", 500, "");
        assertThatThrownBy(() -> CheckpointDownload.fetch(CKPT, storage.url("/broken.tar.gz"), file))
                .hasMessageContaining("HTTP 500").hasMessageContaining(CKPT);

        api.redirect("/a", 302, storage.url("/b"));
        storage.redirect("/b", 307, api.url("/a"));
        assertThatThrownBy(() -> CheckpointDownload.fetch(CKPT, api.url("/a"), file))
                .hasMessageContaining("redirects in a loop").hasMessageContaining(api.url("/a"));

        for (int i = 0; i <= CheckpointDownload.MAX_REDIRECTS + 1; i++) {
            api.redirect("/hop" + i, 302, "/hop" + (i + 1));   // relative, each to a new place
        }
        assertThatThrownBy(() -> CheckpointDownload.fetch(CKPT, api.url("/hop0"), file))
                .hasMessageContaining("more than " + CheckpointDownload.MAX_REDIRECTS + " redirects");
        assertThat(api.to("/hop" + CheckpointDownload.MAX_REDIRECTS)).hasSize(1);
        assertThat(api.to("/hop" + (CheckpointDownload.MAX_REDIRECTS + 1))).isEmpty();

        assertThatThrownBy(() -> CheckpointDownload.fetch(CKPT, "ftp://example.org/x.tar.gz", file))
                .hasMessageContaining("not an http(s) URL");
        assertThat(file).doesNotExist();
    }
}
