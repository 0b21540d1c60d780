package dev.luthier.cookbook.renderers;

import dev.luthier.engine.tokenizer.HfTokenizer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@link Tokenizer} over the engine's {@link HfTokenizer} (a {@code tokenizer.json} run by Hugging Face's
 * tokenizers library). Needs {@code luthier-engine} on the class path; the cookbook declares it optional.
 */
public final class HfTokenizers {

    private HfTokenizers() {
    }

    /** Opens a {@code tokenizer.json} (reading {@code tokenizer_config.json} beside it); close the adapter when done. */
    public static Adapter open(Path tokenizerJson) throws IOException {
        return new Adapter(HfTokenizer.open(tokenizerJson));
    }

    /** Wraps an open tokenizer; closing the adapter closes it. */
    public static Adapter wrap(HfTokenizer tokenizer) {
        return new Adapter(tokenizer);
    }

    /** The adapter; {@link #close()} closes the wrapped tokenizer. */
    public record Adapter(HfTokenizer tokenizer) implements Tokenizer, AutoCloseable {

        @Override
        public int[] encode(String text) {
            return tokenizer.encode(text, false);
        }

        @Override
        public String decode(int[] ids) {
            return tokenizer.decode(ids, false);
        }

        @Override
        public int tokenId(String token) {
            Integer id = tokenizer.tokenId(token);
            return id == null ? -1 : id;
        }

        @Override
        public void close() {
            tokenizer.close();
        }
    }
}
