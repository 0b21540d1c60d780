package dev.luthier.cookbook.renderers;

/**
 * A piece of rendered text and what it belongs to. Renderers produce a conversation as segments; each is
 * tokenized on its own (segment borders fall where the tokenizers' pre-tokenizers split anyway, which the tests
 * check against tokenizing the whole string), and its {@link Part} and message decide its loss weight.
 *
 * @param message the index of the message it renders, or -1 for text that belongs to no message (BOS,
 *                the generation prompt, a synthesized system header)
 */
public record Segment(String text, Part part, int message) {

    /** What a segment is. */
    public enum Part {
        /** Text outside any message's body: BOS, role headers, separators, anything a generation prompt holds. */
        HEADER,
        /** A message's body and end-of-turn marker: what a model generates when it writes this message. */
        OUTPUT
    }

    public static Segment header(String text, int message) {
        return new Segment(text, Part.HEADER, message);
    }

    public static Segment output(String text, int message) {
        return new Segment(text, Part.OUTPUT, message);
    }
}
