package dev.luthier.engine.model;

import dev.luthier.engine.Engine;
import dev.luthier.engine.ExampleResult;
import dev.luthier.engine.TrainingExample;
import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraConfig;
import dev.luthier.engine.loss.CrossEntropyLoss;
import dev.luthier.engine.loss.LossInputs;
import dev.luthier.engine.optim.AdamW;
import dev.luthier.engine.tensor.DType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A LoRA training step on the Qwen3-0.6B shape (151,936-token vocabulary, 28 layers) at 2,048 tokens fits in the
 * 8 GiB heap the test JVM runs with (base weights are off-heap, as memory-mapped checkpoints are).
 */
class PresetMemoryTest {
    private static final long HEAP_BUDGET = 8L << 30;

    @Test
    void qwen3_06bLoraStepAt2048TokensFitsIn8GiBOfHeap() {
        assertThat(Runtime.getRuntime().maxMemory()).as("the test JVM's -Xmx").isLessThanOrEqualTo(HEAP_BUDGET);
        ModelConfig c = ModelPresets.get("qwen3-0.6b");
        CpuKernels kernels = new CpuKernels();
        try (Arena arena = Arena.ofShared()) {
            Transformer model = new Transformer(c, RandomModel.weights(c, kernels, 3, 0.02, DType.BF16, arena), kernels, 512);
            Engine engine = new Engine(model);
            LoraAdapter adapter = engine.createAdapter("mem", new LoraConfig(16, 32, 1, true, true, true));
            SplittableRandom r = new SplittableRandom(1);
            List<TrainingExample> batch = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                int[] tokens = r.ints(513, 0, c.vocabSize()).toArray();
                float[] w = new float[512];
                Arrays.fill(w, 1f);
                batch.add(new TrainingExample(adapter, Arrays.copyOf(tokens, 512), new CrossEntropyLoss(),
                        LossInputs.crossEntropy(Arrays.copyOfRange(tokens, 1, 513), w)));
            }
            System.gc();
            List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP).toList();
            heap.forEach(MemoryPoolMXBean::resetPeakUsage);

            List<ExampleResult> results = engine.forwardBackward(batch, true);
            double norm = AdamW.gradientNorm(kernels, adapter);

            // The hard check is that the step completes under -Xmx8g without OutOfMemoryError; the old generation's
            // peak is what the step kept live across collections.
            long oldPeak = heap.stream().filter(p -> p.getName().contains("Old")).mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            double loss = results.stream().mapToDouble(ExampleResult::loss).sum() / 2048;
            // A random model predicts roughly uniformly: the mean loss is near ln(vocab).
            assertThat(loss).isBetween(Math.log(c.vocabSize()) - 1, Math.log(c.vocabSize()) + 1);
            assertThat(norm).isFinite().isPositive();
            assertThat(oldPeak).as("old-generation peak in bytes").isLessThan(HEAP_BUDGET);
            System.out.printf("qwen3-0.6b LoRA step at 2048 tokens: old-generation peak %.2f GiB%n", oldPeak / (double) (1L << 30));
        }
    }
}
