package dev.luthier.server;

import dev.luthier.server.models.WorkerOptions;
import dev.luthier.server.usage.Prices;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How a server runs.
 *
 * @param dataDir        where the database (SQLite by default) and checkpoints live
 * @param databaseUrl    a JDBC URL overriding the SQLite file in {@code dataDir}, or null
 * @param models         base model names and their directories
 * @param bootstrapKeys  API keys registered at start (without any, the server accepts any {@code tml-} key)
 * @param threads        compute threads per loaded model
 * @param idleUnload     unload a base model after this long without runs or work
 * @param prices         prices per million tokens, for the estimate route (empty: no prices)
 */
public record ServerConfig(String host, int port, Path dataDir, String databaseUrl, Map<String, Path> models,
                           List<String> bootstrapKeys, WorkerOptions workerOptions, int threads, Duration longPoll,
                           Duration futureRetention, Duration idleUnload, long maxBodyBytes, Prices prices) {

    public static ServerConfig defaults(Path dataDir) {
        return new ServerConfig("127.0.0.1", 8000, dataDir, null, Map.of(), List.of(), WorkerOptions.defaults(),
                Runtime.getRuntime().availableProcessors(), Duration.ofSeconds(25), Duration.ofMinutes(10),
                Duration.ofMinutes(30), 256L << 20, Prices.none());
    }

    public ServerConfig withPort(String host, int port) {
        return new ServerConfig(host, port, dataDir, databaseUrl, models, bootstrapKeys, workerOptions, threads, longPoll,
                futureRetention, idleUnload, maxBodyBytes, prices);
    }

    public ServerConfig withModels(Map<String, Path> models) {
        return new ServerConfig(host, port, dataDir, databaseUrl, models, bootstrapKeys, workerOptions, threads, longPoll,
                futureRetention, idleUnload, maxBodyBytes, prices);
    }

    public ServerConfig withBootstrapKeys(List<String> keys) {
        return new ServerConfig(host, port, dataDir, databaseUrl, models, keys, workerOptions, threads, longPoll,
                futureRetention, idleUnload, maxBodyBytes, prices);
    }

    public ServerConfig withWorkerOptions(WorkerOptions options, int threads) {
        return new ServerConfig(host, port, dataDir, databaseUrl, models, bootstrapKeys, options, threads, longPoll,
                futureRetention, idleUnload, maxBodyBytes, prices);
    }

    public ServerConfig withMaxBodyBytes(long maxBodyBytes) {
        return new ServerConfig(host, port, dataDir, databaseUrl, models, bootstrapKeys, workerOptions, threads, longPoll,
                futureRetention, idleUnload, maxBodyBytes, prices);
    }

    public ServerConfig withLongPoll(Duration longPoll) {
        return new ServerConfig(host, port, dataDir, databaseUrl, models, bootstrapKeys, workerOptions, threads, longPoll,
                futureRetention, idleUnload, maxBodyBytes, prices);
    }

    public ServerConfig withDatabaseUrl(String databaseUrl) {
        return new ServerConfig(host, port, dataDir, databaseUrl, models, bootstrapKeys, workerOptions, threads, longPoll,
                futureRetention, idleUnload, maxBodyBytes, prices);
    }

    public ServerConfig withPrices(Prices prices) {
        return new ServerConfig(host, port, dataDir, databaseUrl, models, bootstrapKeys, workerOptions, threads, longPoll,
                futureRetention, idleUnload, maxBodyBytes, prices);
    }
}
