package dev.luthier.engine.model;

import dev.luthier.engine.Engine;
import dev.luthier.engine.ExampleResult;
import dev.luthier.engine.TrainingExample;
import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraConfig;
import dev.luthier.engine.loss.CrossEntropyLoss;
import dev.luthier.engine.loss.LossInputs;
import dev.luthier.engine.tensor.DType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The MoE bench presets: shapes, active-parameter counts, and one training step on random weights. */
class MoePresetsTest {
    @Test
    void moePresetAndItsDenseTwinHaveTheSameActiveExpertParameters() {
        ModelConfig moe = ModelPresets.get("qwen3-moe-tiny");
        ModelConfig dense = ModelPresets.get("qwen3-moe-tiny-dense");
        assertThat(moe.numExperts()).isEqualTo(8);
        assertThat(moe.numExpertsPerToken()).isEqualTo(2);
        assertThat(moe.isMoeLayer(0)).isTrue();
        assertThat(dense.numExperts()).isZero();
        assertThat(dense.intermediateSize()).isEqualTo(moe.numExpertsPerToken() * moe.moeIntermediateSize());
        long d = 256, layers = 4;
        long attention = d * 256 + 2 * d * 128 + 256 * d;
        long head = d * 4096;
        // dense: attention + 3·d·512 per layer; MoE: attention + router d·8 + 2 experts × 3·d·256 per layer
        assertThat(ModelPresets.matmulParameters(dense)).isEqualTo(layers * (attention + 3 * d * 512) + head);
        assertThat(ModelPresets.matmulParameters(moe)).isEqualTo(layers * (attention + d * 8 + 2 * 3 * d * 256) + head);
        // not the total: 8 experts' weights would be 4× the active expert parameters
        long allExperts = layers * 8 * 3 * d * 256;
        assertThat(ModelPresets.matmulParameters(moe)).isLessThan(allExperts);
    }

    @Test
    void moePresetTrainsOneStepWithExpertLora() {
        ModelConfig c = ModelPresets.get("qwen3-moe-tiny");
        CpuKernels k = new CpuKernels();
        try (Arena arena = Arena.ofShared()) {
            Engine engine = new Engine(new Transformer(c, RandomModel.weights(c, k, 1, 0.02, DType.BF16, arena), k, 64));
            LoraAdapter adapter = engine.createAdapter("a", new LoraConfig(4, 32, 1, true, true, false));
            assertThat(adapter.modules().stream().filter(m -> m.expert() >= 0)).hasSize(4 * 8 * 3);
            int[] tokens = new int[24];
            Arrays.setAll(tokens, i -> (i * 37 + 5) % c.vocabSize());
            float[] w = new float[24];
            Arrays.fill(w, 1f);
            List<ExampleResult> r = engine.forwardBackward(List.of(new TrainingExample(adapter, tokens,
                    new CrossEntropyLoss(), LossInputs.crossEntropy(tokens, w))), true);
            assertThat(r.getFirst().loss()).isFinite().isPositive();
            double sq = 0;
            for (var m : adapter.modules()) {
                if (m.expert() >= 0) {
                    sq += k.sumOfSquares(m.module().gradB());
                }
            }
            assertThat(sq).isPositive();
        }
    }
}
