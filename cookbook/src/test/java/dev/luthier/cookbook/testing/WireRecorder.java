package dev.luthier.cookbook.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.luthier.client.ClientOptions;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.http.RetryPolicy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP proxy in front of a server that keeps the JSON body of every POST, so a test can check what a
 * recipe put on the wire by the protocol's own field names. Its {@link #client()} speaks JSON only (no protobuf).
 */
public final class WireRecorder implements AutoCloseable {
    /** Headers the JDK client sets itself. */
    private static final Set<String> HOP_BY_HOP = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "transfer-encoding", "keep-alive");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One POST: its path ({@code /api/v1/forward_backward}) and its body. */
    public record Request(String path, JsonNode body) {
    }

    private final String target;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<Request> posts = new ArrayList<>();

    /** @param targetBaseUrl the server's base URL, e.g. {@link TinyServer#baseUrl} */
    public WireRecorder(String targetBaseUrl) throws IOException {
        this.target = targetBaseUrl;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::forward);
        server.start();
    }

    public ServiceClient client() {
        return new ServiceClient(ClientOptions.of("http://127.0.0.1:" + server.getAddress().getPort(), TinyServer.KEY)
                .withProtobuf(false)
                .withRetry(new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(5)))
                .withHeartbeatInterval(Duration.ofMillis(500)));
    }

    /** The POSTs so far whose path ends with {@code endpoint} (e.g. {@code "/optim_step"}), in arrival order. */
    public synchronized List<Request> posts(String endpoint) {
        return posts.stream().filter(r -> r.path().endsWith(endpoint)).toList();
    }

    public synchronized void clear() {
        posts.clear();
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String method = exchange.getRequestMethod();
            if (method.equals("POST")) {
                JsonNode json = body.length == 0 ? JSON.nullNode() : JSON.readTree(body);
                synchronized (this) {
                    posts.add(new Request(exchange.getRequestURI().getPath(), json));
                }
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                    .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase())) {
                    values.forEach(v -> request.header(name, v));
                }
            });
            HttpResponse<byte[]> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while forwarding " + exchange.getRequestURI(), e);
            }
            response.headers().map().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase()) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            byte[] out = response.body();
            exchange.sendResponseHeaders(response.statusCode(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(out);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
        http.close();
    }
}
