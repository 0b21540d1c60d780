package dev.luthier.cookbook.renderers;

/**
 * The little of a tokenizer that renderers need. Tokenizing is local work, so the cookbook does it itself rather
 * than through a server; {@link HfTokenizers} adapts the engine's Hugging Face tokenizer to this interface.
 */
public interface Tokenizer {

    /**
     * The ids of {@code text}, adding no BOS/EOS of its own; special tokens spelled out in the text (e.g.
     * {@code <|im_start|>}) become their single ids.
     */
    int[] encode(String text);

    /** The text of {@code ids}, special tokens spelled out (not skipped). */
    String decode(int[] ids);

    /** The id of a single token as the vocabulary spells it (e.g. {@code "<|im_end|>"}), or -1 when absent. */
    int tokenId(String token);

    /** The id of {@code token}, or an exception naming it when the vocabulary lacks it. */
    default int requireTokenId(String token) {
        int id = tokenId(token);
        if (id < 0) {
            throw new IllegalArgumentException("the tokenizer has no token " + token);
        }
        return id;
    }
}
