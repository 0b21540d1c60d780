package dev.luthier.server.models;

import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.model.HfConfigReader;
import dev.luthier.engine.model.LoadedModel;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.tokenizer.HfTokenizer;
import dev.luthier.server.checkpoints.CheckpointStore;
import dev.luthier.server.futures.FutureStore;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Loads base models on first use, one {@link ModelWorker} each, and unloads those that have been idle (no training
 * runs, no sampling work) for a while. A model directory without a tokenizer still serves every token-level call.
 */
public final class ModelManager implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelManager.class.getName());

    private final BaseModelRegistry registry;
    private final Supplier<Kernels> kernels;
    private final FutureStore futures;
    private final CheckpointStore checkpoints;
    private final WorkerOptions options;
    private final Clock clock;
    private final Map<String, Loaded> loaded = new ConcurrentHashMap<>();

    private record Loaded(LoadedModel model, HfTokenizer tokenizer, ModelWorker worker) {
    }

    public ModelManager(BaseModelRegistry registry, Supplier<Kernels> kernels, FutureStore futures,
                        CheckpointStore checkpoints, WorkerOptions options, Clock clock) {
        this.registry = registry;
        this.kernels = kernels;
        this.futures = futures;
        this.checkpoints = checkpoints;
        this.options = options;
        this.clock = clock;
    }

    public BaseModelRegistry registry() {
        return registry;
    }

    /** A model's name and context length, for {@code get_server_capabilities}. */
    public record Capability(String name, int maxContextLength) {
    }

    /** Models that fit this JVM and machine (see {@link MemoryPlan}). */
    public List<Capability> capabilities() {
        List<Capability> out = new ArrayList<>();
        for (String name : registry.names()) {
            try {
                Path dir = registry.resolve(name).orElseThrow();
                ModelConfig c = HfConfigReader.read(dir.resolve("config.json"));
                String refusal = MemoryPlan.of(c, dir, options).refusal(Runtime.getRuntime().maxMemory(), MemoryPlan.physicalMemory());
                if (refusal != null) {
                    LOG.fine("model " + name + " is not offered: it " + refusal);
                    continue;
                }
                out.add(new Capability(name, Math.min(c.maxPositionEmbeddings(), options.samplerContext())));
            } catch (IOException | RuntimeException e) {
                LOG.warning("model " + name + " is listed but its config does not load: " + e.getMessage());
            }
        }
        return out;
    }

    public boolean known(String name) {
        return registry.resolve(name).isPresent();
    }

    /** The worker of a base model, loading it if needed. */
    public ModelWorker worker(String name) throws IOException {
        Loaded l = loaded.get(name);
        if (l != null) {
            return l.worker();
        }
        synchronized (this) {
            l = loaded.get(name);
            if (l != null) {
                return l.worker();
            }
            Path dir = registry.resolve(name).orElseThrow(() -> new IllegalArgumentException("unknown base model \"" + name
                    + "\" (available: " + String.join(", ", registry.names()) + ")"));
            ModelConfig config = HfConfigReader.read(dir.resolve("config.json"));
            String refusal = MemoryPlan.of(config, dir, options).refusal(Runtime.getRuntime().maxMemory(), MemoryPlan.physicalMemory());
            if (refusal != null) {
                throw new IllegalArgumentException("base model " + name + " does not fit: it " + refusal);
            }
            Kernels k = kernels.get();
            LoadedModel model = LoadedModel.load(dir, k, options.samplerContext());
            Optional<HfTokenizer> tokenizer = HfTokenizer.load(dir);
            Function<int[], String> detokenizer = tokenizer.<Function<int[], String>>map(t -> ids -> t.decode(ids, false)).orElse(null);
            ModelWorker worker = new ModelWorker(name, model.transformer(), detokenizer, futures, checkpoints, options, clock);
            loaded.put(name, new Loaded(model, tokenizer.orElse(null), worker));
            LOG.info("loaded base model " + name + " from " + dir);
            return worker;
        }
    }

    public Optional<ModelWorker> loadedWorker(String name) {
        Loaded l = loaded.get(name);
        return l == null ? Optional.empty() : Optional.of(l.worker());
    }

    /** Unloads models with no live users that have been idle longer than {@code idle}. */
    public synchronized void unloadIdle(Duration idle, java.util.function.Predicate<String> inUse) {
        long now = System.nanoTime();
        for (var e : List.copyOf(loaded.entrySet())) {
            if (!inUse.test(e.getKey()) && now - e.getValue().worker().lastActive() > idle.toNanos()) {
                unload(e.getKey());
            }
        }
    }

    private void unload(String name) {
        Loaded l = loaded.remove(name);
        if (l != null) {
            l.worker().close();
            if (l.tokenizer() != null) {
                l.tokenizer().close();
            }
            l.model().close();
            LOG.info("unloaded idle base model " + name);
        }
    }

    @Override
    public synchronized void close() {
        for (String name : List.copyOf(loaded.keySet())) {
            unload(name);
        }
    }
}
