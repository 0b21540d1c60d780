package dev.luthier.cookbook.data;

import dev.luthier.cookbook.renderers.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConversationFilesTest {

    @Test
    void readsOpenAiAndShareGptRecordsFromJsonl(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("chat.jsonl");
        Files.writeString(f, """
                {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello", "thinking": "greet"}]}

                {"conversations": [{"from": "system", "value": "Be brief"}, {"from": "human", "value": "2+2?"}, {"from": "gpt", "value": "4"}]}
                """);
        List<Conversation> cs = ConversationFiles.read(f);
        assertThat(cs).hasSize(2);
        assertThat(cs.get(0).messages()).containsExactly(Message.user("Hi"), Message.assistant("Hello", "greet"));
        assertThat(cs.get(1).messages()).containsExactly(Message.system("Be brief"), Message.user("2+2?"), Message.assistant("4"));
        assertThat(cs.get(1).source()).isEqualTo(f + ":3");
    }

    @Test
    void readsAShareGptJsonArray(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("sharegpt.json");
        Files.writeString(f, """
                [
                  {"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}]},
                  {"conversations": [{"from": "human", "value": "c"},
                                     {"from": "gpt", "value": "d"}]}
                ]
                """);
        List<Conversation> cs = ConversationFiles.read(f);
        assertThat(cs).extracting(c -> c.messages().get(1).content()).containsExactly("b", "d");
        assertThat(cs.get(1).source()).isEqualTo(f + ":3");
    }

    @Test
    void malformedLinesAreNamedByFileAndLine(@TempDir Path dir) throws Exception {
        String good = "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}\n";
        assertProblem(dir, good + "{\"messages\": [\n", ":2:", "not valid JSON");
        assertProblem(dir, good + good + "[1, 2]\n", ":3:", "expected a JSON object");
        assertProblem(dir, "{\"text\": \"x\"}\n", ":1:", "\"messages\" or \"conversations\"");
        assertProblem(dir, "{\"messages\": [{\"content\": \"x\"}]}\n", ":1:", "messages[0] has no \"role\"");
        assertProblem(dir, "{\"messages\": [{\"role\": \"user\", \"content\": 3}]}\n", ":1:", "messages[0].content must be a string");
        assertProblem(dir, "{\"messages\": []}\n", ":1:", "\"messages\" is empty");
        assertProblem(dir, "{\"messages\": {}}\n", ":1:", "must be a list");
        assertProblem(dir, good + "{\"conversations\": [{\"from\": \"bot\", \"value\": \"x\"}]}\n", ":2:",
                "conversations[0].from is 'bot'");
        assertProblem(dir, "[{\"conversations\": [{\"from\": \"human\", \"value\": \"x\"}]},\n {\"conversations\": 5}]", ":2:",
                "must be a list");
    }

    @Test
    void readsTheSharedShareGptDataSet() {
        Path f = Path.of(System.getProperty("luthier.shared", "../../shared"), "datasets/chat-sft/fastchat_dummy_conversation.json");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(f), "skipped: " + f + " is missing");
        List<Conversation> cs = ConversationFiles.read(f);
        assertThat(cs).hasSize(500);
        assertThat(cs.getFirst().messages().subList(0, 2)).containsExactly(Message.user("Who are you?"), Message.assistant(
                "I am Vicuna, a language model trained by researchers from Large Model Systems Organization (LMSYS)."));
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        assertThatThrownBy(() -> ConversationFiles.read(dir.resolve("nope.jsonl"))).hasMessageContaining("nope.jsonl");
    }

    private static void assertProblem(Path dir, String content, String line, String problem) throws Exception {
        Path f = Files.createTempFile(dir, "bad", ".jsonl");
        Files.writeString(f, content);
        assertThatThrownBy(() -> ConversationFiles.read(f)).isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(f + line).hasMessageContaining(problem);
    }
}
