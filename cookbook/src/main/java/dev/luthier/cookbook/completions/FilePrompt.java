package dev.luthier.cookbook.completions;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One prompt of a prompts file.
 *
 * @param line   the 1-based line it was read from (errors name {@code file:line})
 * @param record the line's JSON object as read; it is written back with the completions added
 * @param tokens what the model continues: the rendered generation prompt of a chat, or a raw prompt's tokens
 * @param chat   the tokens are a rendered chat, so a reply is read back with the renderer; false for raw text
 */
public record FilePrompt(long line, ObjectNode record, int[] tokens, boolean chat) {
}
