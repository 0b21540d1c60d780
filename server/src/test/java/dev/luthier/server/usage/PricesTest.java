package dev.luthier.server.usage;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.server.storage.usage.UsageKind;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PricesTest {
    private static Prices parse(String json) throws Exception {
        return Prices.parse(new ObjectMapper().readTree(json), "prices.json");
    }

    @Test
    void costsArePricePerMillionTimesTokensExactly() throws Exception {
        Prices p = parse("{\"Qwen/Qwen3-0.6B\": {\"train\": 0.40, \"prefill\": 0.10, \"sample\": 0.30}, \"*\": {\"train\": 1.25}}");
        // 1234 tokens at 0.40 per million = 0.0004936; 3 000 000 sampled at 0.30 = 0.9.
        assertThat(p.cost("Qwen/Qwen3-0.6B", UsageKind.TRAINING, 1234).orElseThrow()).isEqualByComparingTo("0.0004936");
        assertThat(p.cost("Qwen/Qwen3-0.6B", UsageKind.SAMPLING_SAMPLE, 3_000_000).orElseThrow()).isEqualByComparingTo("0.9");
        // Cached prefill falls back to the prefill price; other models to "*".
        assertThat(p.perMillion("Qwen/Qwen3-0.6B", UsageKind.SAMPLING_PREFILL_CACHED).orElseThrow()).isEqualByComparingTo("0.10");
        assertThat(p.cost("other", UsageKind.TRAINING, 2_000_000).orElseThrow()).isEqualByComparingTo("2.5");
        assertThat(p.cost("other", UsageKind.SAMPLING_SAMPLE, 10)).isEmpty();
        assertThat(Prices.none().cost("x", UsageKind.TRAINING, 1)).isEmpty();
    }

    @Test
    void badPriceFilesAreClearErrors() {
        assertThatThrownBy(() -> parse("{\"m\": {\"training_tokens\": 1}}")).hasMessageContaining("unknown kind \"training_tokens\"");
        assertThatThrownBy(() -> parse("{\"m\": {\"train\": -1}}")).hasMessageContaining("m.train must be a non-negative number");
        assertThatThrownBy(() -> parse("{\"m\": {\"train\": \"cheap\"}}")).hasMessageContaining("m.train");
        assertThatThrownBy(() -> parse("[1]")).hasMessageContaining("expected an object");
    }
}
