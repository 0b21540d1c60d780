package dev.luthier.client.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.luthier.api.json.WireJson;

import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/** A response: status, content type, headers and body bytes. */
public record HttpResult(int status, String contentType, HttpHeaders headers, byte[] body) {
    private static final HttpHeaders NONE = HttpHeaders.of(Map.of(), (k, v) -> true);

    public HttpResult {
        headers = headers == null ? NONE : headers;
    }

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    /** A 301, 302, 303, 307 or 308 that names where to go. */
    public boolean redirect() {
        return (status == 301 || status == 302 || status == 303 || status == 307 || status == 308)
                && header("Location").isPresent();
    }

    /** The first value of a response header (names are case-insensitive). */
    public Optional<String> header(String name) {
        return headers.firstValue(name);
    }

    public String text() {
        return body == null ? "" : new String(body, StandardCharsets.UTF_8);
    }

    public <T> T json(Class<T> type) {
        return WireJson.read(body, type);
    }

    /** The {@code detail} of a JSON error body, else the body as text (shortened). */
    public String detail() {
        String t = text();
        try {
            JsonNode n = WireJson.readTree(body);
            if (n.isObject() && n.has("detail")) {
                return n.get("detail").asText();
            }
        } catch (RuntimeException e) {
            // not JSON: fall through
        }
        return t.length() > 500 ? t.substring(0, 500) + "..." : t;
    }
}
