package dev.luthier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bench train|sample --compare}: the JSON a comparison reports, on the smallest settings (this checks what is
 * reported, not how fast anything is). Active parameters are counted by hand from the presets' shapes.
 */
class CompareBenchTest {
    // per layer: q 256², k and v 128·256, o 256², top-2 experts' gate/up/down 2·3·256², router 8·256; head 4096·256
    private static final double MOE_ACTIVE = 4 * (2 * 65536 + 2 * 32768 + 6 * 65536 + 2048) + 4096 * 256;
    // the same attention, gate/up/down 3·512·256
    private static final double DENSE_ACTIVE = 4 * (2 * 65536 + 2 * 32768 + 3 * 512 * 256) + 4096 * 256;

    private static JsonNode run(String... args) throws Exception {
        return TinyModelServer.json(args);
    }

    private static void assertRatios(JsonNode node, int rounds) {
        assertThat(node.get("ratios").size()).isEqualTo(rounds);
        for (JsonNode r : node.get("ratios")) {
            assertThat(r.asDouble()).isPositive().isFinite();
        }
    }

    @Test
    void sampleComparisonReportsPerRoundRatiosPerActiveParameter() throws Exception {
        JsonNode out = run("bench", "sample", "--preset", "qwen3-moe-tiny", "--compare", "qwen3-moe-tiny-dense",
                "--rounds", "3", "--batch", "2", "--prompt", "4", "--decode-tokens", "3", "--threads", "1", "--json");
        assertThat(out.get("benchmark").asText()).isEqualTo("sample-compare");
        assertThat(out.get("active_parameters").asDouble()).isEqualTo(MOE_ACTIVE);
        assertThat(out.get("compare_active_parameters").asDouble()).isEqualTo(DENSE_ACTIVE);
        for (String batch : new String[]{"batch_1", "batch_2"}) {
            JsonNode b = out.get(batch);
            assertRatios(b, 3);
            assertThat(b.get("decode_tokens_per_second_median").asDouble()).isPositive();
            assertThat(b.get("compare_decode_tokens_per_second_median").asDouble()).isPositive();
        }
    }

    @Test
    void trainComparisonReportsPerRoundRatiosPerActiveParameter() throws Exception {
        JsonNode out = run("bench", "train", "--preset", "qwen3-moe-tiny", "--compare", "qwen3-moe-tiny-dense",
                "--steps", "2", "--tokens", "16", "--seq-len", "8", "--rank", "2", "--threads", "1", "--json");
        assertThat(out.get("benchmark").asText()).isEqualTo("train-compare");
        assertThat(out.get("tokens_per_step").asInt()).isEqualTo(16);
        assertThat(out.get("active_parameters").asDouble()).isEqualTo(MOE_ACTIVE);
        assertThat(out.get("compare_active_parameters").asDouble()).isEqualTo(DENSE_ACTIVE);
        assertRatios(out, 2);
    }

    @Test
    void unknownComparePresetIsAClearError() {
        TinyModelServer.Run r = TinyModelServer.run("", "bench", "train", "--preset", "qwen3-moe-tiny", "--compare",
                "no-such-preset", "--steps", "1", "--tokens", "8", "--seq-len", "8");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("unknown preset \"no-such-preset\"");
    }
}
