package dev.luthier.engine.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Hugging Face fast tokenizer ({@code tokenizer.json}) run by the Rust {@code tokenizers} library through
 * DJL, with truncation and padding off. Special-token names come from {@code tokenizer_config.json} beside it.
 */
public final class HfTokenizer implements AutoCloseable {

    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";

    static {
        // DJL's native loader picks a CUDA build of the tokenizers library on GPU machines and downloads it,
        // and its "call home" reaches for EC2 metadata and a telemetry URL; offline mode uses the CPU library
        // bundled in the jar and contacts nothing. An explicit DJL_OFFLINE / ai.djl.offline setting wins.
        if (System.getenv("DJL_OFFLINE") == null && System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getenv("OPT_OUT_TRACKING") == null && System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> tokenToId;
    private final Map<Integer, String> idToToken;
    private final List<Integer> specialTokenIds;
    private final int vocabSize;
    private final Integer bosTokenId;
    private final Integer eosTokenId;
    private final Integer padTokenId;

    private HfTokenizer(Path path, HuggingFaceTokenizer tokenizer, Map<String, Integer> tokenToId,
                        List<Integer> specialTokenIds, Map<String, String> specialNames) {
        this.path = path;
        this.tokenizer = tokenizer;
        this.tokenToId = tokenToId;
        this.idToToken = new HashMap<>(tokenToId.size() * 2);
        tokenToId.forEach((t, id) -> idToToken.putIfAbsent(id, t));
        this.specialTokenIds = specialTokenIds;
        this.vocabSize = tokenToId.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        this.bosTokenId = idOf(specialNames.get("bos_token"), "bos_token");
        this.eosTokenId = idOf(specialNames.get("eos_token"), "eos_token");
        this.padTokenId = idOf(specialNames.get("pad_token"), "pad_token");
    }

    private Integer idOf(String token, String role) {
        if (token == null) {
            return null;
        }
        Integer id = tokenToId.get(token);
        if (id == null) {
            throw new IllegalArgumentException(path.resolveSibling(TOKENIZER_CONFIG) + ": " + role + " \"" + token
                    + "\" is not in the vocabulary of " + path);
        }
        return id;
    }

    /** Opens a {@code tokenizer.json}; reads the {@code tokenizer_config.json} next to it when there is one. */
    public static HfTokenizer open(Path tokenizerJson) throws IOException {
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new IOException("no tokenizer: " + tokenizerJson + " does not exist");
        }
        Map<String, Integer> vocab = new HashMap<>();
        List<Integer> special = new ArrayList<>();
        readVocab(tokenizerJson, vocab, special);
        Map<String, String> names = specialNames(tokenizerJson.resolveSibling(TOKENIZER_CONFIG));
        Map<String, String> options = Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");
        HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(tokenizerJson, options);
        try {
            return new HfTokenizer(tokenizerJson, hf, Collections.unmodifiableMap(vocab),
                    List.copyOf(special), names);
        } catch (RuntimeException e) {
            hf.close();
            throw e;
        }
    }

    /** The tokenizer of a model directory, or empty when it has no {@code tokenizer.json}. */
    public static Optional<HfTokenizer> load(Path modelDir) throws IOException {
        Path json = modelDir.resolve(TOKENIZER_JSON);
        return Files.isRegularFile(json) ? Optional.of(open(json)) : Optional.empty();
    }

    /**
     * Streams the vocabulary out of tokenizer.json: {@code model.vocab} (an object token → id, or Unigram's
     * array of [piece, score] where the id is the position) and {@code added_tokens}, skipping the merges.
     */
    private static void readVocab(Path file, Map<String, Integer> vocab, List<Integer> special) throws IOException {
        boolean sawVocab = false;
        try (JsonParser p = JSON.getFactory().createParser(file.toFile())) {
            expect(p.nextToken() == JsonToken.START_OBJECT, file);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("added_tokens") && p.currentToken() == JsonToken.START_ARRAY) {
                    for (JsonNode t : (JsonNode) JSON.readTree(p)) {
                        vocab.put(t.path("content").asText(), t.path("id").asInt());
                        if (t.path("special").asBoolean(false)) {
                            special.add(t.path("id").asInt());
                        }
                    }
                } else if (field.equals("model") && p.currentToken() == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String mField = p.currentName();
                        JsonToken t = p.nextToken();
                        if (mField.equals("vocab") && t == JsonToken.START_OBJECT) {
                            sawVocab = true;
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String token = p.currentName();
                                p.nextToken();
                                vocab.putIfAbsent(token, p.getIntValue());
                            }
                        } else if (mField.equals("vocab") && t == JsonToken.START_ARRAY) {
                            sawVocab = true;
                            int id = 0;
                            while (p.nextToken() == JsonToken.START_ARRAY) {
                                p.nextToken();
                                vocab.putIfAbsent(p.getText(), id++);
                                while (p.nextToken() != JsonToken.END_ARRAY) {
                                    p.skipChildren();
                                }
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
        expect(sawVocab, file);
    }

    private static void expect(boolean ok, Path file) {
        if (!ok) {
            throw new IllegalArgumentException(file + ": not a tokenizer.json (no model.vocab)");
        }
    }

    /** bos/eos/pad token strings from tokenizer_config.json: a string, or an object with "content". */
    private static Map<String, String> specialNames(Path config) throws IOException {
        Map<String, String> out = new HashMap<>();
        if (!Files.isRegularFile(config)) {
            return out;
        }
        JsonNode root = JSON.readTree(config.toFile());
        for (String key : List.of("bos_token", "eos_token", "pad_token")) {
            JsonNode n = root.get(key);
            if (n == null || n.isNull()) {
                continue;
            }
            String token = n.isTextual() ? n.asText() : n.path("content").isTextual() ? n.get("content").asText() : null;
            if (token == null) {
                throw new IllegalArgumentException(config + ": " + key + " must be a string or {\"content\": ...}, got " + n);
            }
            out.put(key, token);
        }
        return out;
    }

    public int[] encode(String text, boolean addSpecialTokens) {
        long[] ids = tokenizer.encode(text, addSpecialTokens, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return tokenizer.decode(l, skipSpecialTokens);
    }

    /** One more than the highest id of the vocabulary and added tokens (Hugging Face's {@code len(tokenizer)}). */
    public int vocabSize() {
        return vocabSize;
    }

    /** The id of a token as the vocabulary spells it (e.g. {@code "<|im_end|>"}, {@code "Ġthe"}), or null. */
    public Integer tokenId(String token) {
        return tokenToId.get(token);
    }

    /** The vocabulary spelling of an id, or null. */
    public String token(int id) {
        return idToToken.get(id);
    }

    /** Ids of the added tokens marked special, in tokenizer.json order. */
    public List<Integer> specialTokenIds() {
        return specialTokenIds;
    }

    /** From tokenizer_config.json; null when it names none. */
    public Integer bosTokenId() {
        return bosTokenId;
    }

    public Integer eosTokenId() {
        return eosTokenId;
    }

    public Integer padTokenId() {
        return padTokenId;
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
