package dev.luthier.cookbook.testing;

import dev.luthier.cookbook.renderers.Tokenizer;

/**
 * One token per ASCII character, its code point (vocabulary 128), for tests against tiny random models. Text outside
 * ASCII is an error, so one token is always one UTF-8 byte.
 */
public final class AsciiTokenizer implements Tokenizer {
    public static final int VOCAB = 128;

    @Override
    public int[] encode(String text) {
        int[] out = new int[text.length()];
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= VOCAB) {
                throw new IllegalArgumentException("not ASCII: " + c);
            }
            out[i] = c;
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            sb.append((char) id);
        }
        return sb.toString();
    }

    @Override
    public int tokenId(String token) {
        return token.length() == 1 && token.charAt(0) < VOCAB ? token.charAt(0) : -1;
    }
}
