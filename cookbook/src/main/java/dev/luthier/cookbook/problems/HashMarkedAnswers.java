package dev.luthier.cookbook.problems;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GSM8K-style answers: the number after the last {@code ####}. Dollar signs, thousands separators, units and a
 * trailing period around it are ignored ({@code #### $1,000.} is 1000).
 */
public final class HashMarkedAnswers {
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d[\\d,]*(\\.\\d+)?|\\.\\d+)(/\\d+)?");
    private static final Pattern ANY_NUMBER = Pattern.compile("[-+]?(\\d[\\d,]*(\\.\\d+)?|\\.\\d+)");
    static final AnswerChecker CHECKER = new AnswerChecker() {
        @Override
        public Optional<String> extract(String response) {
            return afterMarker(response);
        }

        @Override
        public boolean equivalent(String answer, String reference) {
            return numbersEqual(answer, reference);
        }

        @Override
        public String instruction() {
            return " Give your final answer as a number after '####'.";
        }

        @Override
        public String toString() {
            return "hash_marked";
        }
    };

    static final AnswerChecker BARE = new AnswerChecker() {
        @Override
        public Optional<String> extract(String response) {
            String s = response.strip();
            if (s.endsWith(".")) {
                s = s.substring(0, s.length() - 1);
            }
            return BARE_NUMBER.matcher(s).matches() ? Optional.of(clean(s)) : Optional.empty();
        }

        @Override
        public boolean equivalent(String answer, String reference) {
            return numbersEqual(answer, reference);
        }

        @Override
        public String instruction() {
            return " Answer with just the number.";
        }

        @Override
        public String toString() {
            return "bare_number";
        }
    };
    private static final Pattern BARE_NUMBER = Pattern.compile("[-+]?(\\d{1,3}(,\\d{3})+|\\d+)(\\.\\d+)?");

    private HashMarkedAnswers() {
    }

    /** The number after the last {@code ####}, commas removed; empty when no number follows the marker. */
    public static Optional<String> afterMarker(String text) {
        int at = text.lastIndexOf("####");
        if (at < 0) {
            return Optional.empty();
        }
        Matcher m = NUMBER.matcher(text.substring(at + 4));
        // the number must come first after the marker, allowing a currency sign and spaces before it
        if (!m.find() || !text.substring(at + 4, at + 4 + m.start()).matches("[\\s$€£]*")) {
            return Optional.empty();
        }
        return Optional.of(clean(m.group()));
    }

    /** The last number anywhere in the text (a fallback for free-form answers), commas removed. */
    public static Optional<String> lastNumber(String text) {
        Matcher m = ANY_NUMBER.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group();
        }
        return Optional.ofNullable(last).map(HashMarkedAnswers::clean);
    }

    /**
     * The reference answer of a GSM8K solution: what follows its last {@code ####}, commas removed.
     *
     * @throws IllegalArgumentException when the solution has no {@code ####} or nothing after it
     */
    public static String reference(String solution) {
        int at = solution.lastIndexOf("####");
        if (at < 0) {
            throw new IllegalArgumentException("the answer has no '#### <number>' line");
        }
        String answer = solution.substring(at + 4).trim().replace(",", "");
        if (answer.isEmpty()) {
            throw new IllegalArgumentException("nothing follows '####' in the answer");
        }
        return answer;
    }

    private static String clean(String number) {
        String s = number.replace(",", "");
        return s.startsWith("+") ? s.substring(1) : s;
    }

    /** Equal as exact numbers when both are numbers, else equal as trimmed text. */
    static boolean numbersEqual(String a, String b) {
        Optional<ExactNumber> x = ExactNumber.parse(a.replace("$", ""));
        Optional<ExactNumber> y = ExactNumber.parse(b.replace("$", ""));
        if (x.isPresent() && y.isPresent()) {
            return x.get().equals(y.get());
        }
        return a.trim().equals(b.trim());
    }
}
