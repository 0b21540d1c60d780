package dev.luthier.cookbook.sft;

import dev.luthier.api.input.Datum;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.api.training.ForwardBackwardOutput;
import dev.luthier.cookbook.renderers.Tokenizer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class NllEvaluatorTest {
    /** Token 1 is "é" (2 UTF-8 bytes), 2 is "ab", 3 is "c". */
    private static final Tokenizer TOK = new Tokenizer() {
        private final String[] text = {"", "é", "ab", "c"};

        @Override
        public int[] encode(String s) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String decode(int[] ids) {
            StringBuilder sb = new StringBuilder();
            for (int id : ids) {
                sb.append(text[id]);
            }
            return sb.toString();
        }

        @Override
        public int tokenId(String token) {
            return -1;
        }
    };

    @Test
    void bitsPerByteOfAHandComputedCase() {
        Datum d = new Datum(ModelInput.ofTokens(0, 1, 2), Map.of(
                "target_tokens", TensorData.ofInts(new int[]{1, 2, 3}, 3),
                "weights", TensorData.ofFloats(new float[]{1, 0, 1}, 3)));
        NllEvaluator eval = new NllEvaluator(List.of(d), TOK);
        // weighted text "é" + "c" = 3 bytes; NLL = 1.0 + 0.5 (the unweighted -2.0 does not count)
        assertThat(eval.bytes()).isEqualTo(3);
        HeldOutNll nll = eval.score(ForwardBackwardOutput.ofLogprobs(
                List.of(TensorData.ofFloats(new float[]{-1.0f, -2.0f, -0.5f}, 3)), Map.of("loss:sum", 1.5)));
        assertThat(nll.totalNll()).isCloseTo(1.5, within(1e-12));
        assertThat(nll.meanNll()).isCloseTo(0.75, within(1e-12));
        assertThat(nll.bitsPerByte()).isCloseTo(1.5 / Math.log(2) / 3, within(1e-12));
        assertThat(nll.bitsPerByte()).isCloseTo(0.7213475204444817, within(1e-12));
        assertThat(nll.metrics("test")).containsOnlyKeys("test/nll", "test/bpb");
    }

    @Test
    void heldOutDataNeedsWeightedTokens() {
        Datum d = new Datum(ModelInput.ofTokens(0), Map.of(
                "target_tokens", TensorData.ofInts(new int[]{1}, 1), "weights", TensorData.ofFloats(new float[]{0}, 1)));
        assertThatThrownBy(() -> new NllEvaluator(List.of(d), TOK)).hasMessageContaining("no weighted tokens");
        assertThatThrownBy(() -> new NllEvaluator(List.of(), TOK)).hasMessageContaining("no held-out data");
    }
}
