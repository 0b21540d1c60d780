package dev.luthier.client;

import dev.luthier.client.http.RetryPolicy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How a {@link ServiceClient} talks to its server.
 *
 * @param baseUrl              the server, e.g. {@code http://127.0.0.1:8000}; {@code api/v1/...} is appended (a path prefix is kept)
 * @param apiKey               sent as {@code X-API-Key}
 * @param retry                backoff for submits and synchronous calls (408/409/429/5xx/connection errors)
 * @param heartbeatInterval    how often the session heartbeat is sent (10 s)
 * @param requestTimeout       timeout of an ordinary call (60 s)
 * @param pollTimeout          timeout of one {@code retrieve_future} long-poll (45 s; the server answers within ~30 s)
 * @param protobuf             send forward/forward_backward as protobuf and accept protobuf results (as SDK 0.25.0);
 *                             false speaks JSON only (as SDK 0.24.1, using {@code /forward} for forward passes)
 * @param sampleBackpressureWait how long a sample waits after a 429 before it is resent with the same seq_id (1 s)
 * @param tags                 session tags
 * @param userMetadata         session metadata
 * @param projectId            session project, or null
 */
public record ClientOptions(String baseUrl, String apiKey, RetryPolicy retry, Duration heartbeatInterval,
                            Duration requestTimeout, Duration pollTimeout, boolean protobuf,
                            Duration sampleBackpressureWait, List<String> tags, Map<String, Object> userMetadata,
                            String projectId) {
    public static final String DEFAULT_BASE_URL = "http://127.0.0.1:8000";
    /** The version this SDK reports in {@code sdk_version}: the Python SDK whose protocol it speaks. */
    public static final String SDK_VERSION = "0.25.0";

    public ClientOptions {
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new IllegalArgumentException("baseUrl is required (or set LUTHIER_BASE_URL)");
        }
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("apiKey is required (or set LUTHIER_API_KEY)");
        }
        tags = tags == null ? List.of() : List.copyOf(tags);
        userMetadata = userMetadata == null ? Map.of() : Map.copyOf(userMetadata);
    }

    public static ClientOptions of(String baseUrl, String apiKey) {
        return new ClientOptions(baseUrl, apiKey, RetryPolicy.defaults(), Duration.ofSeconds(10), Duration.ofSeconds(60),
                Duration.ofSeconds(45), true, Duration.ofSeconds(1), List.of(), Map.of(), null);
    }

    /**
     * Options from the environment: {@code LUTHIER_BASE_URL} (else {@code TINKER_BASE_URL}, else
     * {@value #DEFAULT_BASE_URL}) and {@code LUTHIER_API_KEY} (else {@code TINKER_API_KEY}).
     */
    public static ClientOptions fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    static ClientOptions fromEnvironment(Map<String, String> env) {
        String url = firstSet(env, "LUTHIER_BASE_URL", "TINKER_BASE_URL");
        String key = firstSet(env, "LUTHIER_API_KEY", "TINKER_API_KEY");
        if (key == null) {
            throw new IllegalArgumentException("no API key: set LUTHIER_API_KEY (or TINKER_API_KEY), or pass one");
        }
        return of(url == null ? DEFAULT_BASE_URL : url, key);
    }

    private static String firstSet(Map<String, String> env, String... names) {
        for (String n : names) {
            String v = env.get(n);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    public ClientOptions withRetry(RetryPolicy retry) {
        return new ClientOptions(baseUrl, apiKey, retry, heartbeatInterval, requestTimeout, pollTimeout, protobuf,
                sampleBackpressureWait, tags, userMetadata, projectId);
    }

    public ClientOptions withHeartbeatInterval(Duration interval) {
        return new ClientOptions(baseUrl, apiKey, retry, interval, requestTimeout, pollTimeout, protobuf,
                sampleBackpressureWait, tags, userMetadata, projectId);
    }

    public ClientOptions withProtobuf(boolean protobuf) {
        return new ClientOptions(baseUrl, apiKey, retry, heartbeatInterval, requestTimeout, pollTimeout, protobuf,
                sampleBackpressureWait, tags, userMetadata, projectId);
    }

    public ClientOptions withSampleBackpressureWait(Duration wait) {
        return new ClientOptions(baseUrl, apiKey, retry, heartbeatInterval, requestTimeout, pollTimeout, protobuf,
                wait, tags, userMetadata, projectId);
    }

    public ClientOptions withSession(List<String> tags, Map<String, Object> userMetadata, String projectId) {
        return new ClientOptions(baseUrl, apiKey, retry, heartbeatInterval, requestTimeout, pollTimeout, protobuf,
                sampleBackpressureWait, tags, userMetadata, projectId);
    }
}
