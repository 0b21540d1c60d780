package dev.luthier.cli.connect;

import dev.luthier.client.ClientOptions;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.errors.ApiException;
import dev.luthier.client.errors.LuthierException;
import dev.luthier.client.http.RetryPolicy;
import picocli.CommandLine.Option;

import java.time.Duration;

/**
 * A running server to talk to (a picocli mixin): {@code --base-url} (else {@code LUTHIER_BASE_URL},
 * {@code TINKER_BASE_URL}, else {@value ClientOptions#DEFAULT_BASE_URL}) and {@code --api-key} (else
 * {@code LUTHIER_API_KEY}, {@code TINKER_API_KEY}). Retries are kept short so that an unreachable server is reported
 * within seconds.
 */
public final class RemoteOptions {
    @Option(names = "--base-url", description = "the server (default: $LUTHIER_BASE_URL, $TINKER_BASE_URL, else "
            + ClientOptions.DEFAULT_BASE_URL + ")")
    String baseUrl;

    @Option(names = "--api-key", description = "API key (default: $LUTHIER_API_KEY or $TINKER_API_KEY)")
    String apiKey;

    public String baseUrl() {
        String url = baseUrl != null ? baseUrl : env("LUTHIER_BASE_URL", "TINKER_BASE_URL");
        return url != null ? url : ClientOptions.DEFAULT_BASE_URL;
    }

    /** A client for the server; close it when done. */
    public ServiceClient connect() {
        String key = apiKey != null ? apiKey : env("LUTHIER_API_KEY", "TINKER_API_KEY");
        if (key == null) {
            throw new IllegalArgumentException("no API key for " + baseUrl() + ": give --api-key or set LUTHIER_API_KEY");
        }
        ClientOptions options = ClientOptions.of(baseUrl(), key)
                .withRetry(new RetryPolicy(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(3)));
        try {
            return new ServiceClient(options);
        } catch (ApiException e) {
            throw new LuthierException("the server at " + baseUrl() + " refused the connection: " + e.getMessage(), e);
        } catch (LuthierException e) {
            throw new LuthierException("cannot reach a server at " + baseUrl() + " (" + e.getMessage() + ")", e);
        }
    }

    private static String env(String... names) {
        for (String n : names) {
            String v = System.getenv(n);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
