package dev.luthier.cookbook.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.cookbook.renderers.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One token per ASCII character, its code point (vocabulary 128), for tests against tiny random models. Text outside
 * ASCII is an error, so one token is always one UTF-8 byte. {@link #writeTokenizerJson} writes the same vocabulary as
 * a Hugging Face {@code tokenizer.json} (a BPE without merges), so that a server can decode and stop on strings.
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

    /** Writes {@code dir/tokenizer.json}: every character of this tokenizer as one BPE token, no merges. */
    public static Path writeTokenizerJson(Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode vocab = json.createObjectNode();
        for (int id = 0; id < VOCAB; id++) {
            vocab.put(String.valueOf((char) id), id);
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
