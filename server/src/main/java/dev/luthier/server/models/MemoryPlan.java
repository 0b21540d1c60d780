package dev.luthier.server.models;

import dev.luthier.engine.model.ModelConfig;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What serving a base model takes, worked out before loading it: the weights (memory-mapped in their file dtype, so
 * they need physical memory, not heap), and on the heap the sampler's KV cache and the activations of one training
 * pass at the worker's token budget.
 *
 * @param weightBytes     the safetensors files' size
 * @param kvCacheBytes    keys and values, F32, for every sampler slot at full context
 * @param activationBytes one training pass at the token budget, with layers recomputed in the backward
 */
public record MemoryPlan(long weightBytes, long kvCacheBytes, long activationBytes) {
    private static final double GIB = 1L << 30;

    public static MemoryPlan of(ModelConfig c, Path dir, WorkerOptions options) throws IOException {
        long weights = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.safetensors")) {
            for (Path p : ds) {
                weights += Files.size(p);
            }
        }
        long kv = 2L * c.numLayers() * options.samplerSlots() * options.samplerContext() * c.kvDim() * Float.BYTES;
        long tokens = options.passTokenBudget();
        int mlp = c.numExperts() > 0 ? Math.max(c.intermediateSize(), c.numExpertsPerToken() * c.moeIntermediateSize())
                : c.intermediateSize();
        // One layer's saved activations and their gradients while it is recomputed, each layer's input, a logits chunk.
        long perLayer = tokens * (6L * c.hiddenSize() + 4L * c.qDim() + 4L * c.kvDim() + 3L * mlp) * Float.BYTES;
        long inputs = tokens * c.hiddenSize() * (long) c.numLayers() * Float.BYTES;
        long logits = 2L * (16L << 20) * Float.BYTES;
        return new MemoryPlan(weights, kv, 2 * perLayer + inputs + logits);
    }

    public long heapBytes() {
        return kvCacheBytes + activationBytes;
    }

    /** Null when the plan fits this JVM and machine, else why not, with the numbers. */
    public String refusal(long maxHeap, long physicalMemory) {
        if (heapBytes() > maxHeap * 0.9) {
            return String.format("needs %.1f GiB of heap (KV cache %.1f GiB, training activations %.1f GiB) but the JVM has %.1f GiB",
                    heapBytes() / GIB, kvCacheBytes / GIB, activationBytes / GIB, maxHeap / GIB);
        }
        if (weightBytes + maxHeap > physicalMemory) {
            return String.format("needs %.1f GiB of memory for its weights beside a %.1f GiB heap, but the machine has %.1f GiB",
                    weightBytes / GIB, maxHeap / GIB, physicalMemory / GIB);
        }
        return null;
    }

    /** The machine's physical memory. */
    public static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Long.MAX_VALUE;
    }
}
