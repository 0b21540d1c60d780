package dev.luthier.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.engine.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HfTokenizerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    record Case(String text, int[] ids) {
    }

    private static List<Case> cases(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        JsonNode list = root.isArray() ? root : root.get("cases");
        List<Case> out = new ArrayList<>();
        for (JsonNode c : list) {
            int[] ids = new int[c.get("ids").size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = c.get("ids").get(i).asInt();
            }
            out.add(new Case(c.get("text").asText(), ids));
        }
        return out;
    }

    /** Encodes every case; returns a line per mismatch. */
    private static List<String> mismatches(HfTokenizer tok, List<Case> cases, boolean addSpecial) {
        List<String> bad = new ArrayList<>();
        for (Case c : cases) {
            int[] got = tok.encode(c.text(), addSpecial);
            if (!Arrays.equals(got, c.ids())) {
                bad.add(JSON.valueToTree(c.text()) + ": expected " + Arrays.toString(c.ids()) + ", got " + Arrays.toString(got));
            }
        }
        return bad;
    }

    @Test
    void qwen3MatchesLlamaCppQwen2Golden() throws IOException {
        Path golden = SharedData.require("tokenizer-golden/golden-qwen2.json");
        try (HfTokenizer tok = HfTokenizer.open(SharedData.require("tokenizers/qwen3/tokenizer.json"))) {
            List<Case> cases = cases(golden);
            assertThat(cases).isNotEmpty();
            assertThat(mismatches(tok, cases, false)).isEmpty();
            for (Case c : cases) {
                // the Qwen2 tokenizer normalises to NFC; decoding gives the normalised text back
                assertThat(tok.decode(c.ids(), false)).isEqualTo(Normalizer.normalize(c.text(), Normalizer.Form.NFC));
            }
            assertThat(tok.vocabSize()).isEqualTo(151669);
            assertThat(tok.tokenId("<|im_end|>")).isEqualTo(151645);
            assertThat(tok.tokenId("<|endoftext|>")).isEqualTo(151643);
            assertThat(tok.tokenId("no such token")).isNull();
            assertThat(tok.token(151644)).isEqualTo("<|im_start|>");
            assertThat(tok.bosTokenId()).isNull();
            assertThat(tok.eosTokenId()).isEqualTo(151645);
            assertThat(tok.padTokenId()).isEqualTo(151643);
            assertThat(tok.specialTokenIds()).contains(151643, 151644, 151645);
            // special tokens in text are recognised; decode can skip them
            int[] ids = tok.encode("<|im_start|>user\nHi<|im_end|>", false);
            assertThat(ids[0]).isEqualTo(151644);
            assertThat(ids[ids.length - 1]).isEqualTo(151645);
            assertThat(tok.decode(ids, true)).isEqualTo("user\nHi");
            assertThat(tok.decode(ids, false)).isEqualTo("<|im_start|>user\nHi<|im_end|>");
        }
    }

    @Test
    void gpt2MatchesLlamaCppGolden() throws IOException {
        Path golden = SharedData.require("tokenizer-golden/golden-gpt-2.json");
        try (HfTokenizer tok = HfTokenizer.open(SharedData.require("tokenizers/gpt2/tokenizer.json"))) {
            List<Case> cases = cases(golden);
            assertThat(mismatches(tok, cases, false)).isEmpty();
            for (Case c : cases) {
                assertThat(tok.decode(c.ids(), false)).isEqualTo(c.text());
            }
            assertThat(tok.vocabSize()).isEqualTo(50257);
            assertThat(tok.bosTokenId()).isEqualTo(50256);
            assertThat(tok.eosTokenId()).isEqualTo(50256);
        }
    }

    @Test
    void stories260KMatchesParityCasesWithBos() throws IOException {
        Path golden = SharedData.require("models/stories260K/tok512-parity-cases.json");
        Path dir = SharedData.require("models/stories260K");
        try (HfTokenizer tok = HfTokenizer.load(dir).orElseThrow()) {
            List<Case> cases = cases(golden);
            // every case starts with BOS (id 1): the template post-processor adds it with special tokens on
            assertThat(cases).allMatch(c -> c.ids().length > 0 && c.ids()[0] == 1);
            assertThat(mismatches(tok, cases, true)).isEmpty();
            Case first = cases.getFirst();
            assertThat(tok.encode(first.text(), false)).containsExactly(Arrays.copyOfRange(first.ids(), 1, first.ids().length));
            for (Case c : cases) {
                assertThat(tok.decode(c.ids(), true)).isEqualTo(c.text());
            }
            assertThat(tok.vocabSize()).isEqualTo(512);
            assertThat(tok.bosTokenId()).isEqualTo(1);
            assertThat(tok.eosTokenId()).isEqualTo(2);
            assertThat(tok.padTokenId()).isNull();
        }
    }

    @Test
    void longInputIsNotTruncated() throws IOException {
        try (HfTokenizer tok = HfTokenizer.open(SharedData.require("models/stories260K/tokenizer.json"))) {
            String text = "Once upon a time there was a little dog. ".repeat(200);
            int[] ids = tok.encode(text, true);
            assertThat(ids.length).isGreaterThan(2000);
            assertThat(tok.decode(ids, true)).isEqualTo(text);
        }
    }

    @Test
    void missingTokenizer() throws IOException {
        assertThat(HfTokenizer.load(tmp)).isEmpty();
        assertThatThrownBy(() -> HfTokenizer.open(tmp.resolve("tokenizer.json")))
                .hasMessageContaining(tmp.resolve("tokenizer.json").toString());
    }

    @Test
    void specialTokenAsObjectInConfig() throws IOException {
        Path src = SharedData.require("models/stories260K/tokenizer.json");
        Files.copy(src, tmp.resolve("tokenizer.json"));
        Files.writeString(tmp.resolve("tokenizer_config.json"), """
                {"bos_token": {"content": "<s>", "lstrip": false}, "eos_token": {"content": "</s>"}}""");
        try (HfTokenizer tok = HfTokenizer.load(tmp).orElseThrow()) {
            assertThat(tok.bosTokenId()).isEqualTo(1);
            assertThat(tok.eosTokenId()).isEqualTo(2);
        }
    }
}
