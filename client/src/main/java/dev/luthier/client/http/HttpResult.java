package dev.luthier.client.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.luthier.api.json.WireJson;

import java.nio.charset.StandardCharsets;

/** A response: status, content type and body bytes. */
public record HttpResult(int status, String contentType, byte[] body) {
    public boolean ok() {
        return status >= 200 && status < 300;
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
