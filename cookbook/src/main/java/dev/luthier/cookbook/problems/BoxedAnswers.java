package dev.luthier.cookbook.problems;

import java.util.Optional;

/** MATH-style answers: the content of the last {@code \boxed{...}} (or {@code \fbox{...}}) in a text. */
public final class BoxedAnswers {
    static final AnswerChecker CHECKER = new AnswerChecker() {
        @Override
        public Optional<String> extract(String response) {
            return last(response);
        }

        @Override
        public boolean equivalent(String answer, String reference) {
            return MathAnswers.equivalent(answer, reference);
        }

        @Override
        public String instruction() {
            return " Write your answer in \\boxed{} format.";
        }

        @Override
        public String toString() {
            return "boxed";
        }
    };

    private BoxedAnswers() {
    }

    /**
     * The content of the last {@code \boxed{...}} or {@code \fbox{...}}, braces balanced (so
     * {@code \boxed{\frac{1}{2}}} gives {@code \frac{1}{2}}), or of {@code \boxed 5} (up to the next space or
     * {@code $}); empty when there is none or its braces never close.
     */
    public static Optional<String> last(String text) {
        int at = Math.max(text.lastIndexOf("\\boxed"), text.lastIndexOf("\\fbox"));
        if (at < 0) {
            return Optional.empty();
        }
        int i = at + (text.startsWith("\\boxed", at) ? 6 : 5);
        if (i < text.length() && text.charAt(i) == '{') {
            int depth = 0;
            for (int j = i; j < text.length(); j++) {
                char c = text.charAt(j);
                if (c == '\\' && j + 1 < text.length()) {
                    j++; // an escaped brace such as \{ does not nest
                    continue;
                }
                if (c == '{') {
                    depth++;
                } else if (c == '}' && --depth == 0) {
                    return Optional.of(text.substring(i + 1, j).trim());
                }
            }
            return Optional.empty();
        }
        if (i < text.length() && text.charAt(i) == ' ') {
            int end = i + 1;
            while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && text.charAt(end) != '$') {
                end++;
            }
            String content = text.substring(i + 1, end).trim();
            return content.isEmpty() ? Optional.empty() : Optional.of(content);
        }
        return Optional.empty();
    }
}
