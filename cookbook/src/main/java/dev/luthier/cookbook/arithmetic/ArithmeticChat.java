package dev.luthier.cookbook.arithmetic;

import dev.luthier.cookbook.problems.Problem;
import dev.luthier.cookbook.renderers.Message;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Word problems as chat conversations: the user asks the question, the assistant answers with the worked equation
 * ({@code "7 + 5 = 12"}), graded by {@link WorkedAnswerChecker}.
 */
public final class ArithmeticChat {
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

    /** The problem as the RL environments and evaluator take it; its id is stable across runs. */
    public static Problem problem(WordProblem problem) {
        CRC32 crc = new CRC32();
        crc.update(problem.question().getBytes(StandardCharsets.UTF_8));
        return new Problem("arithmetic-" + Long.toHexString(crc.getValue()), problem.question(),
                Integer.toString(problem.answer()));
    }
}
