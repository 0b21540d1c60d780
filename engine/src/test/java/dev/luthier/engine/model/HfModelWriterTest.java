package dev.luthier.engine.model;

import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.tensor.DType;
import dev.luthier.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HfModelWriterTest {
    @Test
    void aWrittenRandomModelLoadsBackWithTheSameConfigAndLogits(@TempDir Path dir) throws Exception {
        for (ModelConfig c : TinyModels.all()) {
            Path modelDir = dir.resolve(c.family().modelType());
            HfModelWriter.writeRandom(modelDir, c, 3, 0.2);
            ModelConfig read = HfConfigReader.read(modelDir.resolve("config.json"));
            assertThat(read).isEqualTo(c);
            CpuKernels k = new CpuKernels(1);
            int[] tokens = {1, 5, 2, 7, 3};
            try (LoadedModel loaded = LoadedModel.load(modelDir, k, 64); Arena arena = Arena.ofShared()) {
                Transformer direct = new Transformer(c, RandomModel.weights(c, k, 3, 0.2, DType.F32, arena), k, 64);
                float[] a = logits(loaded.transformer(), tokens, k);
                float[] b = logits(direct, tokens, k);
                // Same weights, same kernels: agreement up to float summation order (the file path maps, the direct one copies).
                assertThat(a).hasSameSizeAs(b);
                for (int i = 0; i < a.length; i++) {
                    assertThat((double) Math.abs(a[i] - b[i])).isLessThanOrEqualTo(1e-5);
                }
            }
        }
    }

    private static float[] logits(Transformer t, int[] tokens, CpuKernels k) {
        Tensor h = t.forward(PackedBatch.of(List.of(new PackedBatch.Sequence(tokens, null))), null);
        return k.toHost(t.head().logits(h, List.of(new AdapterSegment(0, tokens.length, null))));
    }
}
