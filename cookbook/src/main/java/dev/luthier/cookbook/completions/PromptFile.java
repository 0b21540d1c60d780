package dev.luthier.cookbook.completions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.cookbook.data.DataFormatException;
import dev.luthier.cookbook.data.JsonLines;
import dev.luthier.cookbook.distill.PromptDatasets;
import dev.luthier.cookbook.renderers.Message;
import dev.luthier.cookbook.renderers.Renderer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a prompts file to sample from (JSONL, plain or {@code .gz}; blank lines skipped). Each line is an object with
 * <ul>
 *   <li>{@code "prompt": "text"}: raw text, tokenized as it is, no chat template; or</li>
 *   <li>a chat: {@code "messages"}, ShareGPT's {@code "conversations"} or {@code "prompt": [messages]}, as
 *       {@link PromptDatasets} reads them (a trailing assistant message is dropped: the model writes its own), rendered
 *       as a generation prompt. A system message, when given, starts every chat that has none of its own.</li>
 * </ul>
 * Other fields are kept and written back with the completions. Every problem is a {@link DataFormatException} naming
 * the file and the line, found before anything is sampled.
 */
public final class PromptFile {
    /** The output field a prompt line may not already have. */
    public static final String COMPLETIONS = "completions";

    private PromptFile() {
    }

    /** Every prompt of {@code file} in file order; {@code system} (may be null) starts chats without a system message. */
    public static List<FilePrompt> read(Path file, Renderer renderer, String system) {
        List<FilePrompt> out = new ArrayList<>();
        JsonLines.forEach(file, "prompts", (text, line) -> out.add(prompt(PromptDatasets.object(text, file, line),
                renderer, system, file, line)));
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": no prompts");
        }
        return out;
    }

    private static FilePrompt prompt(ObjectNode record, Renderer renderer, String system, Path file, long line) {
        if (record.has(COMPLETIONS)) {
            throw new DataFormatException(file, line, "already has a \"" + COMPLETIONS + "\" field, which the output adds");
        }
        JsonNode prompt = record.get("prompt");
        if (prompt != null && prompt.isTextual()) {
            if (prompt.asText().isEmpty()) {
                throw new DataFormatException(file, line, "\"prompt\" is empty");
            }
            return new FilePrompt(line, record, renderer.tokenizer().encode(prompt.asText()), false);
        }
        List<Message> messages = new ArrayList<>(PromptDatasets.conversation(record, file, line));
        if (system != null && !messages.getFirst().role().equals("system")) {
            messages.addFirst(Message.system(system));
        }
        int[] tokens;
        try {
            tokens = renderer.buildGenerationPrompt(messages);
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(file, line, e.getMessage());
        }
        return new FilePrompt(line, record, tokens, true);
    }
}
