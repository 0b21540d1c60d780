package dev.luthier.cookbook.completions;

import dev.luthier.cookbook.data.DataFormatException;
import dev.luthier.cookbook.renderers.Renderer;
import dev.luthier.cookbook.renderers.Renderers;
import dev.luthier.cookbook.testing.AsciiTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromptFileTest {
    private static final Renderer RENDERER = Renderers.create("role_colon", new AsciiTokenizer());

    /** The ids of {@code s} under the ASCII tokenizer: its code points. */
    private static int[] codePoints(String s) {
        return s.chars().toArray();
    }

    @Test
    void chatsAreRenderedAsGenerationPromptsAndRawPromptsAreTokenizedAsTheyAre(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prompts.jsonl");
        Files.writeString(file, """
                {"messages": [{"role": "user", "content": "b"}, {"role": "assistant", "content": "ref"}], "id": 7}

                {"messages": [{"role": "system", "content": "own"}, {"role": "user", "content": "c"}]}
                {"prompt": "raw: text"}
                {"prompt": [{"role": "user", "content": "d"}]}
                {"conversations": [{"from": "human", "value": "e"}]}
                """);
        List<FilePrompt> prompts = PromptFile.read(file, RENDERER, "be brief");

        assertThat(prompts).extracting(FilePrompt::line).containsExactly(1L, 3L, 4L, 5L, 6L);
        assertThat(prompts).extracting(FilePrompt::chat).containsExactly(true, true, false, true, true);
        // role_colon spelled out by hand: the system message starts chats without their own, the reference reply is dropped
        assertThat(prompts.get(0).tokens()).isEqualTo(codePoints("System: be brief\n\nUser: b\n\nAssistant:"));
        assertThat(prompts.get(1).tokens()).isEqualTo(codePoints("System: own\n\nUser: c\n\nAssistant:"));
        assertThat(prompts.get(2).tokens()).isEqualTo(codePoints("raw: text"));
        assertThat(prompts.get(3).tokens()).isEqualTo(codePoints("System: be brief\n\nUser: d\n\nAssistant:"));
        assertThat(prompts.get(4).tokens()).isEqualTo(codePoints("System: be brief\n\nUser: e\n\nAssistant:"));
        assertThat(prompts.get(0).record().get("id").asInt()).isEqualTo(7);
        assertThat(prompts.get(0).record().get("messages")).hasSize(2);

        assertThat(PromptFile.read(file, RENDERER, null).getFirst().tokens()).isEqualTo(codePoints("User: b\n\nAssistant:"));
    }

    @Test
    void everyBadLineIsAnErrorNamingFileAndLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.jsonl");
        assertError(file, "{\"prompt\": \"ok\"}\n{\"prompt\": \"\"}\n", ":2: \"prompt\" is empty");
        assertError(file, "{\"prompt\": \"ok\"}\n\n{\"prompt\": \"x\"\n", ":3: not valid JSON");
        assertError(file, "[1]\n", ":1: expected a JSON object");
        assertError(file, "{\"text\": \"x\"}\n", ":1: expected \"prompt\", \"messages\" or \"conversations\"");
        assertError(file, "{\"prompt\": 3}\n", ":1: \"prompt\" must be a string or a list of messages");
        assertError(file, "{\"prompt\": \"x\", \"completions\": []}\n", ":1: already has a \"completions\" field");
        // the renderer's refusal, named by its line
        assertError(file, "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"b\","
                + " \"thinking\": \"t\"}, {\"role\": \"user\", \"content\": \"c\"}]}\n", ":1: role_colon cannot render thinking");

        Files.writeString(file, "\n\n");
        assertThatThrownBy(() -> PromptFile.read(file, RENDERER, null)).hasMessage(file + ": no prompts");
    }

    private static void assertError(Path file, String content, String message) throws Exception {
        Files.writeString(file, content);
        assertThatThrownBy(() -> PromptFile.read(file, RENDERER, null))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(file + message);
    }
}
