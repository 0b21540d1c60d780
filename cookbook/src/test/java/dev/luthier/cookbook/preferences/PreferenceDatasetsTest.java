package dev.luthier.cookbook.preferences;

import dev.luthier.cookbook.renderers.Message;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PreferenceDatasetsTest {

    @Test
    void hhRlhfTranscriptsSplitIntoSharedPromptAndFinalReplies() {
        String chosen = "\n\nHuman: How do I boil an egg?\n\nAssistant: Put it in boiling water.\n\nHuman: For how long?"
                + "\n\nAssistant: About nine minutes for a hard yolk.";
        String rejected = "\n\nHuman: How do I boil an egg?\n\nAssistant: Put it in boiling water.\n\nHuman: For how long?"
                + "\n\nAssistant: I don't know.";
        PreferencePair p = HhRlhfTranscript.pair(chosen, rejected);
        assertThat(p.prompt()).containsExactly(Message.user("How do I boil an egg?"),
                Message.assistant("Put it in boiling water."), Message.user("For how long?"));
        assertThat(p.chosen()).isEqualTo(Message.assistant("About nine minutes for a hard yolk."));
        assertThat(p.rejected()).isEqualTo(Message.assistant("I don't know."));
    }

    @Test
    void hhRlhfKeepsNewlinesInsideATurnAndAllowsAnEmptyReply() {
        PreferencePair p = HhRlhfTranscript.pair("\n\nHuman: List two.\n\nAssistant: 1. one\n2. two",
                "\n\nHuman: List two.\n\nAssistant:");
        assertThat(p.chosen().content()).isEqualTo("1. one\n2. two");
        assertThat(p.rejected().content()).isEmpty();
    }

    @Test
    void hhRlhfErrorsSayWhatIsWrong() {
        assertThatThrownBy(() -> HhRlhfTranscript.pair("Hello\n\nHuman: hi\n\nAssistant: a", "\n\nHuman: hi\n\nAssistant: b"))
                .hasMessageContaining("text before the first");
        assertThatThrownBy(() -> HhRlhfTranscript.pair("just text", "\n\nHuman: hi\n\nAssistant: b"))
                .hasMessageContaining("no \"\\n\\nHuman:\"");
        assertThatThrownBy(() -> HhRlhfTranscript.pair("\n\nHuman: hi\n\nAssistant: a\n\nHuman: more",
                "\n\nHuman: hi\n\nAssistant: b")).hasMessageContaining("must end with an Assistant turn");
        assertThatThrownBy(() -> HhRlhfTranscript.pair("\n\nHuman: hi\n\nAssistant: a", "\n\nHuman: hello\n\nAssistant: b"))
                .hasMessageContaining("differ before their final Assistant turns (at turn 1)");
        assertThatThrownBy(() -> HhRlhfTranscript.pair("\n\nAssistant: a", "\n\nAssistant: b"))
                .hasMessageContaining("no turn before the final");
    }

    @Test
    void genericLinesTakeAStringOrMessagesAsPromptAndSeveralReplyShapes() {
        PreferencePair text = PreferenceDatasets.parseLine("{\"prompt\": \"Name a colour.\", \"chosen\": \"Blue.\", \"rejected\": \"No.\"}",
                PreferenceFormat.AUTO);
        assertThat(text.prompt()).containsExactly(Message.user("Name a colour."));
        assertThat(text.chosen()).isEqualTo(Message.assistant("Blue."));

        PreferencePair msgs = PreferenceDatasets.parseLine("{\"prompt\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                + " {\"role\": \"user\", \"content\": \"2+2?\"}], \"chosen\": {\"role\": \"assistant\", \"content\": \"4\"},"
                + " \"rejected\": [{\"role\": \"assistant\", \"content\": \"5\", \"thinking\": \"guess\"}]}", PreferenceFormat.GENERIC);
        assertThat(msgs.prompt()).containsExactly(Message.system("Be brief."), Message.user("2+2?"));
        assertThat(msgs.chosen()).isEqualTo(Message.assistant("4"));
        assertThat(msgs.rejected()).isEqualTo(Message.assistant("5", "guess"));
    }

    @Test
    void malformedLinesNameFileLineAndProblem(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("pairs.jsonl");
        Files.writeString(file, """
                {"prompt": "hi", "chosen": "a", "rejected": "b"}

                {"prompt": "hi", "chosen": "a"}
                {"prompt": "hi", "chosen": {"role": "user", "content": "x"}, "rejected": "b"}
                {"prompt": 3, "chosen": "a", "rejected": "b"}
                not json
                {"chosen": 5, "rejected": "x"}
                """);
        assertThatThrownBy(() -> PreferenceDatasets.load(file, PreferenceFormat.AUTO))
                .hasMessage(file + ":3: missing \"rejected\"");
        var loaded = PreferenceDatasets.loadSkippingMalformed(file, PreferenceFormat.AUTO);
        assertThat(loaded.pairs()).hasSize(1);
        assertThat(loaded.skipped()).hasSize(5);
        assertThat(loaded.skipped().get(1)).isEqualTo(file + ":4: \"chosen\" must be an assistant message, got role user");
        assertThat(loaded.skipped().get(2)).isEqualTo(file + ":5: \"prompt\" must be a string or a list of messages, got NUMBER");
        assertThat(loaded.skipped().get(3)).startsWith(file + ":6: not valid JSON");
        assertThat(loaded.skipped().get(4)).isEqualTo(file + ":7: \"chosen\" must be a transcript string, got NUMBER");
    }

    @Test
    void readsGzippedHhRlhfLines(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("hh.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(("{\"chosen\": \"\\n\\nHuman: Hi\\n\\nAssistant: Hello!\", \"rejected\": \"\\n\\nHuman: Hi\\n\\nAssistant: Go away.\"}\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        List<PreferencePair> pairs = PreferenceDatasets.load(file, PreferenceFormat.HH_RLHF);
        assertThat(pairs).containsExactly(new PreferencePair(List.of(Message.user("Hi")), Message.assistant("Hello!"),
                Message.assistant("Go away.")));
    }

    @Test
    void theSharedHhRlhfTestSplitParses() {
        Path file = Path.of("../../shared/datasets/hh-rlhf/harmless-base-test.jsonl.gz");
        if (!Files.exists(file)) {
            file = Path.of("../shared/datasets/hh-rlhf/harmless-base-test.jsonl.gz");
        }
        Assumptions.assumeTrue(Files.exists(file), "../shared/datasets/hh-rlhf is absent; skipping the real HH-RLHF file");
        var loaded = PreferenceDatasets.loadSkippingMalformed(file, PreferenceFormat.HH_RLHF);
        // 2312 comparisons in the file (the shared README); every one ends in two final Assistant replies
        assertThat(loaded.pairs().size() + loaded.skipped().size()).isEqualTo(2312);
        // 5 lines whose transcripts differ before the last reply or end on a Human turn (counted by a separate script)
        assertThat(loaded.skipped()).as("skipped lines").hasSize(5);
        PreferencePair first = loaded.pairs().getFirst();
        assertThat(first.prompt().getFirst()).isEqualTo(Message.user("what are some pranks with a pen i can do?"));
        assertThat(first.prompt()).hasSize(5);
        assertThat(first.chosen().content()).startsWith("No, sorry!  All of these involve a pen");
        assertThat(first.rejected().content()).startsWith("There are lots of funny things you can do with pens");
    }
}
