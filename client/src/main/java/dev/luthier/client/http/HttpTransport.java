package dev.luthier.client.http;

import dev.luthier.api.json.WireJson;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The {@link HttpClient} for every call to a server: {@code {base}/api/v1/{path}} with {@code X-API-Key}. It sends
 * and answers; deciding what to retry is {@link Retrying}'s job. Redirects are followed except by
 * {@link #sendUnfollowed}, for the calls whose redirect is the answer (a checkpoint's archive link).
 */
public final class HttpTransport implements AutoCloseable {
    public static final String JSON = "application/json";
    private final HttpClient http;
    private final HttpClient unfollowed;
    private final String root;
    private final String apiKey;

    public HttpTransport(String baseUrl, String apiKey) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NORMAL).build();
        this.unfollowed = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
        this.root = (baseUrl.endsWith("/") ? baseUrl : baseUrl + "/") + "api/v1/";
        this.apiKey = apiKey;
        URI.create(root); // fail early on a malformed base URL
    }

    /** The absolute URI of an API path such as {@code create_session}. */
    public URI uri(String path) {
        return URI.create(root + (path.startsWith("/") ? path.substring(1) : path));
    }

    /**
     * Sends one request. {@code body} null means none (GET, DELETE); {@code headers} are name/value pairs.
     *
     * @throws IOException on connection errors and timeouts (retryable)
     */
    public HttpResult send(String method, String path, byte[] body, String contentType, Duration timeout,
                           String... headers) throws IOException, InterruptedException {
        return exchange(http, method, path, body, contentType, timeout, headers);
    }

    /** As {@link #send}, but a redirect is returned as it is (its {@code Location} unvisited). */
    public HttpResult sendUnfollowed(String method, String path, Duration timeout, String... headers)
            throws IOException, InterruptedException {
        return exchange(unfollowed, method, path, null, null, timeout, headers);
    }

    private HttpResult exchange(HttpClient client, String method, String path, byte[] body, String contentType,
                                Duration timeout, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(timeout).header("X-API-Key", apiKey)
                .header("User-Agent", "luthier-java-client");
        boolean hasAccept = false;
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
            hasAccept |= headers[i].equalsIgnoreCase("Accept");
        }
        if (!hasAccept) {
            b.header("Accept", JSON);
        }
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", contentType == null ? JSON : contentType);
            b.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        }
        HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new HttpResult(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.headers(), r.body());
    }

    /** A JSON POST of a wire record. */
    public HttpResult postJson(String path, Object body, Duration timeout, String... headers)
            throws IOException, InterruptedException {
        return send("POST", path, WireJson.write(body), JSON, timeout, headers);
    }

    @Override
    public void close() {
        http.shutdownNow();
        unfollowed.shutdownNow();
    }
}
