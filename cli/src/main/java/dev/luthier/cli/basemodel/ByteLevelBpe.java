package dev.luthier.cli.basemodel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A byte-level BPE vocabulary in GPT-2's layout: the 256 byte symbols, then one token per merge, learned here from a
 * corpus by counting adjacent pairs within pre-tokenized words and merging the most frequent, as Hugging Face's
 * {@code BpeTrainer} does. Words holding digits are never merged, so numbers stay one token per digit (as in Llama 3
 * and Qwen), and whitespace runs are not merged either, so a text tokenizes the same whole or in renderer segments.
 * {@link #tokenizerJson} writes it as a {@code tokenizer.json} that the Rust {@code tokenizers} library runs.
 */
public record ByteLevelBpe(List<String> vocab, List<String[]> merges, List<String> specialTokens) {

    /** GPT-2's pre-tokenization: contractions, letters, digits and punctuation each with an optional leading space. */
    static final Pattern WORDS = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");
    private static final String[] BYTE_SYMBOLS = byteSymbols();

    public ByteLevelBpe {
        vocab = List.copyOf(vocab);
        merges = List.copyOf(merges);
        specialTokens = List.copyOf(specialTokens);
    }

    /**
     * Learns up to {@code maxMerges} merges from {@code texts}, stopping early when no pair occurs twice; the
     * special tokens get the ids after the vocabulary.
     */
    public static ByteLevelBpe train(Iterable<String> texts, int maxMerges, List<String> specialTokens) {
        Map<String, Integer> wordCounts = new TreeMap<>();
        for (String text : texts) {
            Matcher m = WORDS.matcher(text);
            while (m.find()) {
                String w = m.group();
                if (w.chars().anyMatch(Character::isDigit) || w.isBlank()) {
                    continue;
                }
                wordCounts.merge(toSymbols(w), 1, Integer::sum);
            }
        }
        List<List<String>> words = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        wordCounts.forEach((w, c) -> {
            List<String> symbols = new ArrayList<>();
            w.codePoints().forEach(cp -> symbols.add(Character.toString(cp)));
            words.add(symbols);
            counts.add(c);
        });
        List<String> vocab = new ArrayList<>(List.of(BYTE_SYMBOLS));
        List<String[]> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            Map<String, Integer> pairCounts = new HashMap<>();
            Map<String, String[]> pairs = new HashMap<>();
            for (int i = 0; i < words.size(); i++) {
                List<String> w = words.get(i);
                for (int j = 0; j + 1 < w.size(); j++) {
                    String key = w.get(j) + " " + w.get(j + 1);
                    pairCounts.merge(key, counts.get(i), Integer::sum);
                    pairs.putIfAbsent(key, new String[]{w.get(j), w.get(j + 1)});
                }
            }
            // The most frequent pair; ties go to the alphabetically first so that training is deterministic.
            var best = pairCounts.entrySet().stream()
                    .max(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue)
                            .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()));
            if (best.isEmpty() || best.get().getValue() < 2) {
                break;
            }
            String[] pair = pairs.get(best.get().getKey());
            String merged = pair[0] + pair[1];
            merges.add(pair);
            if (!vocab.contains(merged)) {
                vocab.add(merged);
            }
            for (List<String> w : words) {
                for (int j = 0; j + 1 < w.size(); j++) {
                    if (w.get(j).equals(pair[0]) && w.get(j + 1).equals(pair[1])) {
                        w.set(j, merged);
                        w.remove(j + 1);
                    }
                }
            }
        }
        return new ByteLevelBpe(vocab, merges, specialTokens);
    }

    /** The number of ids: the vocabulary and the special tokens after it. */
    public int size() {
        return vocab.size() + specialTokens.size();
    }

    /** The id a special token gets. */
    public int specialTokenId(String token) {
        int i = specialTokens.indexOf(token);
        if (i < 0) {
            throw new IllegalArgumentException("no special token " + token + " in " + specialTokens);
        }
        return vocab.size() + i;
    }

    /** The {@code tokenizer.json} of this vocabulary (GPT-2's pre-tokenizer and decoder, no normalizer). */
    public ObjectNode tokenizerJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String s : specialTokens) {
            ObjectNode t = added.addObject();
            t.put("id", specialTokenId(s));
            t.put("content", s);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(json, false, true));
        root.putNull("post_processor");
        root.set("decoder", byteLevel(json, true, true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode v = model.putObject("vocab");
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            ids.putIfAbsent(vocab.get(i), i);
        }
        ids.forEach(v::put);
        ArrayNode m = model.putArray("merges");
        for (String[] pair : merges) {
            m.add(pair[0] + " " + pair[1]);
        }
        return root;
    }

    private static ObjectNode byteLevel(ObjectMapper json, boolean addPrefixSpace, boolean trimOffsets) {
        ObjectNode n = json.createObjectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", addPrefixSpace);
        n.put("trim_offsets", trimOffsets);
        n.put("use_regex", true);
        return n;
    }

    /** A word's UTF-8 bytes as byte symbols ({@code " apples"} becomes {@code "Ġapples"}). */
    static String toSymbols(String word) {
        StringBuilder sb = new StringBuilder();
        for (byte b : word.getBytes(StandardCharsets.UTF_8)) {
            sb.append(BYTE_SYMBOLS[b & 0xff]);
        }
        return sb.toString();
    }

    /**
     * GPT-2's printable stand-ins for bytes: printable Latin-1 bytes stand for themselves, the others (controls,
     * space, 0x7F-0xA0, 0xAD) map in byte order to code points from U+0100 on.
     */
    private static String[] byteSymbols() {
        String[] out = new String[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            out[b] = Character.toString(printable ? b : next++);
        }
        return out;
    }
}
