package dev.luthier.cookbook.arithmetic;

import dev.luthier.cookbook.problems.AnswerChecker;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Grades worked answers such as {@code "7 + 5 = 12"}: the answer is the integer after the last {@code =}, and a reply
 * without one states no answer (its format is wrong). No instruction is added to questions: the format is taught by
 * supervised fine-tuning, not asked for.
 */
public final class WorkedAnswerChecker implements AnswerChecker {
    public static final WorkedAnswerChecker INSTANCE = new WorkedAnswerChecker();
    private static final Pattern RESULT = Pattern.compile("=\\s*(-?\\d{1,9})\\s*\\.?\\s*$");

    private WorkedAnswerChecker() {
    }

    @Override
    public Optional<String> extract(String response) {
        int eq = response.lastIndexOf('=');
        if (eq < 0) {
            return Optional.empty();
        }
        Matcher m = RESULT.matcher(response.substring(eq));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    @Override
    public boolean equivalent(String answer, String reference) {
        try {
            return Long.parseLong(answer.strip()) == Long.parseLong(reference.strip());
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Override
    public String instruction() {
        return "";
    }
}
