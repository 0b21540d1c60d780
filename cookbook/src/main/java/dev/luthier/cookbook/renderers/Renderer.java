package dev.luthier.cookbook.renderers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns messages into the tokens a model of one family expects, and sampled tokens back into messages: the
 * cookbook's {@code Renderer}. An implementation only lays out text ({@link #renderSegments}); tokenizing, the
 * generation prompt and loss weights follow from the segments.
 */
public interface Renderer {

    /** The registry name ({@code qwen3}, {@code llama3}, ...). */
    String name();

    Tokenizer tokenizer();

    /**
     * The conversation as text segments, ending with the generation prompt (the header of the assistant turn the
     * model is to write) when {@code addGenerationPrompt}.
     */
    List<Segment> renderSegments(List<Message> messages, boolean addGenerationPrompt);

    /** Token ids that end a sampled turn (the sampler's stop tokens); may be empty. */
    default List<Integer> stopTokenIds() {
        return List.of();
    }

    /** Strings that end a sampled turn (the sampler's stop strings); may be empty. */
    default List<String> stopStrings() {
        return List.of();
    }

    /** Reads sampled tokens (what followed the generation prompt) back as an assistant message. */
    ParsedResponse parseResponse(int[] tokens);

    /** The rendered text, as a chat template with this {@code add_generation_prompt} would produce it. */
    default String render(List<Message> messages, boolean addGenerationPrompt) {
        StringBuilder sb = new StringBuilder();
        for (Segment s : renderSegments(messages, addGenerationPrompt)) {
            sb.append(s.text());
        }
        return sb.toString();
    }

    /** The tokens to sample the next assistant message from. */
    default int[] buildGenerationPrompt(List<Message> messages) {
        return encode(renderSegments(messages, true));
    }

    /**
     * The segments of a supervised example; by default the conversation without generation prompt. A renderer
     * overrides this to add what only training needs (e.g. the start of a stop sequence after the last message).
     */
    default List<Segment> supervisedSegments(List<Message> messages) {
        return renderSegments(messages, false);
    }

    /**
     * The conversation as tokens with weight 1 on the tokens {@code trainOn} selects: the bodies and end-of-turn
     * markers of the chosen messages (or every token for {@link TrainOn#ALL_TOKENS}); headers, and whatever a
     * generation prompt would have supplied, get 0.
     */
    default SupervisedExample buildSupervisedExample(List<Message> messages, TrainOn trainOn) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("no messages");
        }
        int last = messages.size() - 1;
        if (trainOn == TrainOn.LAST_ASSISTANT_MESSAGE && !messages.get(last).role().equals("assistant")) {
            throw new IllegalArgumentException("LAST_ASSISTANT_MESSAGE needs the last message to be an assistant's, not "
                    + messages.get(last).role() + "'s");
        }
        List<Segment> segments = supervisedSegments(messages);
        int[][] pieces = new int[segments.size()][];
        int total = 0;
        for (int i = 0; i < pieces.length; i++) {
            pieces[i] = tokenizer().encode(segments.get(i).text());
            total += pieces[i].length;
        }
        int[] tokens = new int[total];
        float[] weights = new float[total];
        int at = 0;
        for (int i = 0; i < pieces.length; i++) {
            Segment s = segments.get(i);
            boolean trained = switch (trainOn) {
                case ALL_TOKENS -> true;
                case ALL_MESSAGES -> s.part() == Segment.Part.OUTPUT && s.message() >= 0;
                case ALL_ASSISTANT_MESSAGES -> s.part() == Segment.Part.OUTPUT && s.message() >= 0
                        && messages.get(s.message()).role().equals("assistant");
                case LAST_ASSISTANT_MESSAGE -> s.part() == Segment.Part.OUTPUT && s.message() == last;
            };
            System.arraycopy(pieces[i], 0, tokens, at, pieces[i].length);
            if (trained) {
                Arrays.fill(weights, at, at + pieces[i].length, 1f);
            }
            at += pieces[i].length;
        }
        return new SupervisedExample(tokens, weights);
    }

    /** Tokenizes segments one by one and concatenates the ids. */
    default int[] encode(List<Segment> segments) {
        List<int[]> pieces = new ArrayList<>(segments.size());
        int total = 0;
        for (Segment s : segments) {
            int[] p = tokenizer().encode(s.text());
            pieces.add(p);
            total += p.length;
        }
        int[] out = new int[total];
        int at = 0;
        for (int[] p : pieces) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /**
     * The text of {@code tokens} up to the first of {@link #stopTokenIds()}, and whether one was there.
     */
    default DecodedTurn decodeUntilStopToken(int[] tokens) {
        List<Integer> stops = stopTokenIds();
        for (int i = 0; i < tokens.length; i++) {
            if (stops.contains(tokens[i])) {
                return new DecodedTurn(tokenizer().decode(Arrays.copyOf(tokens, i)), true);
            }
        }
        return new DecodedTurn(tokenizer().decode(tokens), false);
    }

    /** A sampled turn's text and whether it ended on a stop sequence. */
    record DecodedTurn(String text, boolean stopped) {
        public ParsedResponse.Termination termination() {
            return stopped ? ParsedResponse.Termination.STOP_SEQUENCE : ParsedResponse.Termination.MALFORMED;
        }
    }
}
