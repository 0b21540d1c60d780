package dev.luthier.engine.lora;

import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.TinyModels;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Per-expert LoRA through PEFT adapters: round trip, and keys that do not fit the model are refused. */
class PeftAdaptersMoeTest {
    private final CpuKernels k = new CpuKernels(1);

    private static PeftAdapter adapter(LoraKey key, int in, int out) {
        return new PeftAdapter(2, 4, false, List.of(key.module()), "m",
                Map.of(key, new LoraPair(new float[2 * in], 2, in, new float[out * 2], out, 2)));
    }

    @Test
    void expertKeysRoundTripAndAreChecked() {
        ModelConfig moe = TinyModels.qwen3Moe();   // layers 0 and 2 sparse (5 experts, moe_inter 8), layer 1 dense
        LoraAdapter created = LoraAdapter.create("x", new LoraConfig(2, 4, 9, true, true, false), moe, k);
        PeftAdapter peft = PeftAdapters.fromEngine(created, k, "m");
        assertThat(peft.pairs().keySet()).contains(LoraKey.expert(2, 4, "down_proj"), LoraKey.of(1, "up_proj"))
                .doesNotContain(LoraKey.of(0, "gate_proj"));
        LoraAdapter back = PeftAdapters.toEngine(peft, "y", moe, k);
        assertThat(back.parameters()).hasSameSizeAs(created.parameters());
        assertThat(k.toHost(back.expertModule(2, 4, LoraTarget.DOWN_PROJ).a()))
                .containsExactly(k.toHost(created.expertModule(2, 4, LoraTarget.DOWN_PROJ).a()));

        assertThatThrownBy(() -> PeftAdapters.toEngine(adapter(LoraKey.expert(0, 0, "gate_proj"), 12, 20), "d",
                TinyModels.qwen3(), k)).hasMessageContaining("no experts");
        assertThatThrownBy(() -> PeftAdapters.toEngine(adapter(LoraKey.expert(1, 0, "gate_proj"), 16, 8), "d", moe, k))
                .hasMessageContaining("no experts");
        assertThatThrownBy(() -> PeftAdapters.toEngine(adapter(LoraKey.expert(0, 5, "gate_proj"), 16, 8), "d", moe, k))
                .hasMessageContaining("5 experts");
        assertThatThrownBy(() -> PeftAdapters.toEngine(adapter(LoraKey.of(0, "gate_proj"), 16, 20), "d", moe, k))
                .hasMessageContaining("mixture of experts");
        // a wrongly shaped expert pair (dense intermediate instead of moe_intermediate)
        assertThatThrownBy(() -> PeftAdapters.toEngine(adapter(LoraKey.expert(0, 1, "gate_proj"), 16, 20), "d", moe, k))
                .hasMessageContaining("experts.1.gate_proj");
    }
}
