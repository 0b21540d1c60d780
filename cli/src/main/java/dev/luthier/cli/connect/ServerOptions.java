package dev.luthier.cli.connect;

import dev.luthier.client.ServiceClient;
import dev.luthier.server.LuthierServer;
import dev.luthier.server.ServerConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Where a recipe command finds its server (a picocli mixin): a running one ({@code --base-url}, or
 * {@code LUTHIER_BASE_URL}), or one started inside the command on loopback over a data directory ({@code --data}),
 * serving the {@code --model NAME=DIR} models and the Hugging Face cache.
 */
public final class ServerOptions {
    @Option(names = "--base-url", description = "a running Luthier or Tinker-compatible server (default: $LUTHIER_BASE_URL,"
            + " $TINKER_BASE_URL, else http://127.0.0.1:8000)")
    String baseUrl;

    @Option(names = "--api-key", description = "API key for --base-url (default: $LUTHIER_API_KEY or $TINKER_API_KEY)")
    String apiKey;

    @Option(names = "--data", description = "start an embedded server over this data directory instead of connecting to one")
    Path data;

    @Option(names = "--model", description = "NAME=DIR: a local Hugging Face model directory for NAME: the embedded server"
            + " serves it, and tokenizers and base weights are read from it (repeatable)")
    List<String> models = new ArrayList<>();

    /** The {@code --model} mappings. */
    public Map<String, Path> models() {
        Map<String, Path> named = new LinkedHashMap<>();
        for (String m : models) {
            int eq = m.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--model takes NAME=DIR, got " + m);
            }
            named.put(m.substring(0, eq), Path.of(m.substring(eq + 1)));
        }
        return named;
    }

    /**
     * The local directory of a base model, when there is one: a {@code --model} mapping, the name itself as a
     * directory, or the Hugging Face cache. Used to find the model's tokenizer.
     */
    public Optional<Path> localModelDir(String modelName) {
        return TokenizerLookup.localModelDir(modelName, models());
    }

    /** Connects (or starts the embedded server); close the connection when done. */
    public Connection connect() throws Exception {
        if (data != null) {
            if (baseUrl != null) {
                throw new IllegalArgumentException("give --base-url or --data, not both");
            }
            String key = "tml-embedded-" + UUID.randomUUID();
            LuthierServer server = LuthierServer.start(ServerConfig.defaults(data).withPort("127.0.0.1", 0)
                    .withModels(models()).withBootstrapKeys(List.of(key)));
            try {
                return new Connection(new ServiceClient("http://127.0.0.1:" + server.port(), key), server);
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        }
        String url = baseUrl != null ? baseUrl : env("LUTHIER_BASE_URL", "TINKER_BASE_URL");
        if (url == null) {
            url = dev.luthier.client.ClientOptions.DEFAULT_BASE_URL;
        }
        String key = apiKey != null ? apiKey : env("LUTHIER_API_KEY", "TINKER_API_KEY");
        if (key == null) {
            throw new IllegalArgumentException("no API key for " + url + ": give --api-key or set LUTHIER_API_KEY");
        }
        // a first contact with short retries, so that a server that is not there is reported in seconds
        RemoteOptions probe = new RemoteOptions();
        probe.baseUrl = url;
        probe.apiKey = key;
        probe.connect().close();
        return new Connection(new ServiceClient(url, key), null);
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

    /** A service client and, for an embedded server, the server (closed with it). */
    public record Connection(ServiceClient service, LuthierServer server) implements AutoCloseable {
        @Override
        public void close() {
            service.close();
            if (server != null) {
                server.close();
            }
        }
    }
}
