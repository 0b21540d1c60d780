package dev.luthier.cookbook.renderers;

import java.util.List;

/**
 * A stand-in tokenizer for layout tests: each special token of Qwen3 and Llama 3 is one id (1,000,000 and up),
 * every other character is its code point.
 */
final class ToyTokenizer implements Tokenizer {

    static final List<String> SPECIALS = List.of("<|im_start|>", "<|im_end|>", "<|begin_of_text|>",
            "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<think>", "</think>");
    private static final int BASE = 1_000_000;

    @Override
    public int[] encode(String text) {
        var out = new java.util.ArrayList<Integer>();
        int i = 0;
        outer:
        while (i < text.length()) {
            for (int s = 0; s < SPECIALS.size(); s++) {
                if (text.startsWith(SPECIALS.get(s), i)) {
                    out.add(BASE + s);
                    i += SPECIALS.get(s).length();
                    continue outer;
                }
            }
            int cp = text.codePointAt(i);
            out.add(cp);
            i += Character.charCount(cp);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (id >= BASE) {
                sb.append(SPECIALS.get(id - BASE));
            } else {
                sb.appendCodePoint(id);
            }
        }
        return sb.toString();
    }

    @Override
    public int tokenId(String token) {
        int s = SPECIALS.indexOf(token);
        return s < 0 ? -1 : BASE + s;
    }
}
