package dev.luthier.engine.model;

import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraTarget;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The golden contract on the tiny Qwen3-MoE ({@code hf-tiny/qwen3_moe}: 8 experts, top-2, norm_topk_prob, untied;
 * LoRA on attention and on every expert's gate/up/down with independent A, B per expert; the router frozen).
 */
class HfTinyQwen3MoeGoldenTest extends HfTinyGoldenContract {
    @Override
    String modelPath() {
        return "models/hf-tiny/qwen3_moe";
    }

    @Test
    void routerIsFrozenAndEveryExpertCarriesItsOwnLora() throws Exception {
        LoraAdapter adapter = adapterFrom("lora_init.safetensors");
        ModelConfig c = model.config();
        // 4 attention pairs per layer + 3 per expert per layer, A and B each
        assertThat(adapter.parameters()).hasSize(2 * c.numLayers() * (4 + 3 * c.numExperts()));
        assertThat(adapter.parameters()).noneMatch(e -> e.name().contains("mlp.gate."));
        assertThat(adapter.module(0, LoraTarget.GATE_PROJ)).isNull();
        assertThat(adapter.expertModule(0, 3, LoraTarget.GATE_PROJ))
                .isNotSameAs(adapter.expertModule(0, 4, LoraTarget.GATE_PROJ));
    }

}
