package dev.luthier.server.models;

import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.model.HfModelWriter;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.ModelFamily;
import dev.luthier.server.futures.FutureStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MemoryPlanTest {
    /** Qwen3-235B-A22B's shape: 94 layers, 4 kv heads of 128, 128 experts, top-8. */
    private static final ModelConfig HUGE = new ModelConfig(ModelFamily.QWEN3_MOE, 151936, 4096, 12288, 94, 64, 4, 128,
            1e-6, 1e6, null, 40960, false, false, false, true, null, List.of(), "bfloat16", 128, 8, 1536, true, 1, List.of());

    @Test
    void kvCacheAndWeightsAreCountedFromTheShapeAndTheFiles(@TempDir Path dir) throws Exception {
        WorkerOptions options = new WorkerOptions(8192, 32, 2048, Duration.ofMinutes(2), 100);
        Files.write(dir.resolve("model-00001.safetensors"), new byte[1000]);
        Files.write(dir.resolve("model-00002.safetensors"), new byte[234]);
        MemoryPlan plan = MemoryPlan.of(HUGE, dir, options);
        // keys and values x 94 layers x 32 slots x 2048 positions x (4 kv heads x 128) x 4 bytes
        assertThat(plan.kvCacheBytes()).isEqualTo(25_232_932_864L);
        assertThat(plan.weightBytes()).isEqualTo(1234);
        assertThat(plan.refusal(8L << 30, 64L << 30)).contains("heap").contains("KV cache 23.5 GiB");
        MemoryPlan weightsOnly = new MemoryPlan(470L << 30, 0, 0);
        assertThat(weightsOnly.refusal(8L << 30, 24L << 30)).contains("470.0 GiB").contains("24.0 GiB");
        assertThat(new MemoryPlan(1L << 30, 1L << 20, 1L << 20).refusal(8L << 30, 24L << 30)).isNull();
        assertThat(options.samplerSlots()).isEqualTo(32);
    }

    @Test
    void aModelThatDoesNotFitIsRefusedWithItsNumbersAndNotOffered(@TempDir Path dir) throws Exception {
        Path huge = Files.createDirectories(dir.resolve("huge"));
        Files.writeString(huge.resolve("config.json"), HfModelWriter.configJson(HUGE).toString());
        Path tiny = dir.resolve("tiny");
        HfModelWriter.writeRandom(tiny, ModelConfig.dense(ModelFamily.QWEN3, 64, 32, 48, 2, 4, 2, 8, 10000, true), 1, 0.1);
        BaseModelRegistry registry = new BaseModelRegistry(null);
        registry.register("huge", huge);
        registry.register("tiny", tiny);
        try (ModelManager models = new ModelManager(registry, () -> new CpuKernels(1), new FutureStore(Clock.systemUTC(),
                Duration.ofMinutes(1)), null, WorkerOptions.defaults(), Clock.systemUTC())) {
            assertThat(models.capabilities()).extracting(ModelManager.Capability::name).containsExactly("tiny");
            assertThatThrownBy(() -> models.worker("huge")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("huge does not fit").hasMessageContaining("KV cache").hasMessageContaining("GiB");
            assertThat(models.worker("tiny").config().vocabSize()).isEqualTo(64);
        }
    }
}
