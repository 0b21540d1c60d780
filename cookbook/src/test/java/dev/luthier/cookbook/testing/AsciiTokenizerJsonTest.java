package dev.luthier.cookbook.testing;

import dev.luthier.cookbook.renderers.HfTokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The test tokenizer and its tokenizer.json, run by Hugging Face's tokenizers library, give the same ids. */
class AsciiTokenizerJsonTest {

    @Test
    void tokenizerJsonMatchesTheJavaTokenizer(@TempDir Path dir) throws Exception {
        String text = "User: Hi there!\n\nAssistant: {ok} ~42";
        int[] expected = new AsciiTokenizer().encode(text);
        assertThat(expected).startsWith('U', 's', 'e', 'r', ':', ' ');
        assertThat(expected[15]).isEqualTo(10);
        try (var hf = HfTokenizers.open(AsciiTokenizer.writeTokenizerJson(dir))) {
            assertThat(hf.encode(text)).containsExactly(expected);
            assertThat(hf.decode(expected)).isEqualTo(text);
            assertThat(hf.tokenId("\n")).isEqualTo(10);
        }
    }
}
