package dev.luthier.cookbook.loopback;

import dev.luthier.cookbook.renderers.Tokenizer;

/**
 * One token per character for the 96-token test models: printable ASCII {@code ' '..'~'} are ids 0..94 and
 * {@code '\n'} is 95. Any other character is an error.
 */
public final class AsciiTokenizer implements Tokenizer {
    public static final int VOCAB = 96;

    @Override
    public int[] encode(String text) {
        int[] out = new int[text.length()];
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                out[i] = 95;
            } else if (c >= ' ' && c <= '~') {
                out[i] = c - ' ';
            } else {
                throw new IllegalArgumentException("the ASCII test tokenizer has no token for U+" + Integer.toHexString(c));
            }
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int id : ids) {
            if (id < 0 || id >= VOCAB) {
                throw new IllegalArgumentException("no token " + id);
            }
            sb.append(id == 95 ? '\n' : (char) (' ' + id));
        }
        return sb.toString();
    }

    @Override
    public int tokenId(String token) {
        return token.length() == 1 ? encode(token)[0] : -1;
    }
}
