package dev.luthier.cli;

import dev.luthier.server.LuthierServer;
import dev.luthier.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code luthier serve}: the Tinker-compatible API over HTTP. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the Tinker-compatible fine-tuning API (point the Tinker SDK's base_url at it).")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "8000", description = "port (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--data", description = "data directory: database and checkpoints (default ~/.luthier)")
    Path data;

    @Option(names = "--database", description = "a JDBC URL instead of the SQLite file in --data, e.g. "
            + "jdbc:postgresql://host/db?user=luthier (checkpoints stay in --data)")
    String database;

    @Option(names = "--prices", description = "JSON prices per million tokens per base model, for the estimate route "
            + "(see luthier usage --help)")
    Path prices;

    @Option(names = "--shutdown-grace", defaultValue = "30", description = "seconds work in flight gets to finish when the server "
            + "is stopped (SIGTERM); new work is refused meanwhile (default ${DEFAULT-VALUE})")
    int shutdownGrace;

    @Option(names = "--model", description = "NAME=DIR: a Hugging Face model directory served as NAME (repeatable)")
    List<String> models = new ArrayList<>();

    @Option(names = "--bootstrap-key", description = "register this tml- API key at start (repeatable)")
    List<String> keys = new ArrayList<>();

    @Option(names = "--threads", description = "compute threads per model (default: all cores)")
    Integer threads;

    @Option(names = "--sampler-slots", defaultValue = "16", description = "samples decoded at once per model (default ${DEFAULT-VALUE})")
    int samplerSlots;

    @Option(names = "--context", defaultValue = "1024", description = "longest prompt plus completion served (default ${DEFAULT-VALUE})")
    int context;

    @Option(names = "--pass-tokens", defaultValue = "8192", description = "token budget of one packed training pass (default ${DEFAULT-VALUE})")
    int passTokens;

    @Override
    public Integer call() throws Exception {
        Path dataDir = data != null ? data : Path.of(System.getProperty("user.home"), ".luthier");
        Map<String, Path> named = new LinkedHashMap<>();
        for (String m : models) {
            int eq = m.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--model takes NAME=DIR, got " + m);
            }
            named.put(m.substring(0, eq), Path.of(m.substring(eq + 1)));
        }
        ServerConfig config = ServerConfig.defaults(dataDir).withPort(host, port).withModels(named).withBootstrapKeys(keys)
                .withDatabaseUrl(database)
                .withPrices(prices == null ? dev.luthier.server.usage.Prices.none() : dev.luthier.server.usage.Prices.read(prices));
        var w = config.workerOptions();
        config = config.withWorkerOptions(new dev.luthier.server.models.WorkerOptions(passTokens, samplerSlots, context,
                w.gapTimeout(), w.maxQueuedSamples()), threads != null ? threads : config.threads());
        LuthierServer server = LuthierServer.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close(java.time.Duration.ofSeconds(shutdownGrace));
            stopped.countDown();
        }));
        System.out.println("Luthier listening on http://" + host + ":" + server.port() + " (data: " + dataDir
                + (database != null ? ", database: " + database.replaceAll("password=[^&]*", "password=***") : "") + ")");
        if (server.recovery().futuresFailed() > 0 || server.recovery().runsUnloaded() > 0) {
            System.out.println("after restart: " + server.recovery().futuresFailed() + " in-flight requests failed, "
                    + server.recovery().runsUnloaded() + " training runs unloaded (their checkpoints remain)");
        }
        if (server.openAuth()) {
            System.out.println("no API key is registered: any key starting with tml- is accepted (use --bootstrap-key to restrict)");
        }
        System.out.println("models: " + String.join(", ", server.service().models().registry().names()));
        stopped.await();
        return 0;
    }
}
