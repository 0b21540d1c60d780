package dev.luthier.cookbook.arithmetic;

import dev.luthier.cookbook.renderers.Message;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Word problems as chat conversations: the user asks the question, the assistant answers with the worked equation
 * ({@code "7 + 5 = 12"}). An answer is read back as the last integer of the reply.
 */
public final class ArithmeticChat {
    private static final Pattern INTEGER = Pattern.compile("-?\\d+");

    private ArithmeticChat() {
    }

    /** The conversation to sample an answer from: the question alone. */
    public static List<Message> prompt(WordProblem problem) {
        return List.of(Message.user(problem.question()));
    }

    /** The conversation with the assistant's worked answer, for supervised fine-tuning. */
    public static List<Message> conversation(WordProblem problem) {
        return List.of(Message.user(problem.question()), Message.assistant(problem.workedAnswer()));
    }

    /** The last integer in {@code reply}, or null when it has none. */
    public static Integer finalInteger(String reply) {
        Matcher m = INTEGER.matcher(reply);
        String last = null;
        while (m.find()) {
            last = m.group();
        }
        if (last == null) {
            return null;
        }
        try {
            return Integer.valueOf(last);
        } catch (NumberFormatException tooLong) {
            return null;
        }
    }

    public static boolean isCorrect(WordProblem problem, String reply) {
        Integer value = finalInteger(reply);
        return value != null && value == problem.answer();
    }
}
