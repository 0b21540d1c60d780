package dev.luthier.cookbook.loopback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.cookbook.renderers.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One token per character for the 96-token test models: printable ASCII {@code ' '..'~'} are ids 0..94 and
 * {@code '\n'} is 95. Any other character is an error. {@link #writeTokenizerJson} writes the same vocabulary as a
 * Hugging Face {@code tokenizer.json} (a BPE without merges), so that a server can decode and stop on strings.
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

    /** Writes {@code dir/tokenizer.json}: every character of this tokenizer as one BPE token, no merges. */
    public static Path writeTokenizerJson(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode vocab = json.createObjectNode();
        AsciiTokenizer t = new AsciiTokenizer();
        for (int id = 0; id < VOCAB; id++) {
            vocab.put(t.decode(new int[]{id}), id);
        }
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.putArray("added_tokens");
        root.putNull("normalizer");
        root.putNull("pre_tokenizer");
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "Fuse");
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.set("vocab", vocab);
        model.putArray("merges");
        Files.createDirectories(dir);
        Path file = dir.resolve("tokenizer.json");
        json.writeValue(file.toFile(), root);
        return file;
    }
}
