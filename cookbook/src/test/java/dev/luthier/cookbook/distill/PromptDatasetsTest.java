package dev.luthier.cookbook.distill;

import dev.luthier.cookbook.renderers.Message;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromptDatasetsTest {

    @Test
    void promptLinesDropATrailingAssistantReply() {
        Path f = Path.of("prompts.jsonl");
        assertThat(PromptDatasets.parseLine("{\"prompt\": \"hi\"}", f, 1)).containsExactly(Message.user("hi"));
        assertThat(PromptDatasets.parseLine("{\"messages\": [{\"role\": \"user\", \"content\": \"q\"},"
                + " {\"role\": \"assistant\", \"content\": \"a\"}]}", f, 2)).containsExactly(Message.user("q"));
        assertThat(PromptDatasets.parseLine("{\"conversations\": [{\"from\": \"human\", \"value\": \"q\"},"
                + " {\"from\": \"gpt\", \"value\": \"a\"}]}", f, 3)).containsExactly(Message.user("q"));
        assertThatThrownBy(() -> PromptDatasets.parseLine("{\"text\": \"x\"}", f, 7))
                .hasMessage("prompts.jsonl:7: expected \"prompt\", \"messages\" or \"conversations\"");
        assertThatThrownBy(() -> PromptDatasets.parseLine("{\"prompt\": 5}", f, 8))
                .hasMessage("prompts.jsonl:8: \"prompt\" must be a string or a list of messages, got NUMBER");
    }
}
