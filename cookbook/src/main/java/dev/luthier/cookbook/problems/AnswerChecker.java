package dev.luthier.cookbook.problems;

import java.util.Optional;

/**
 * How a model's response is graded against a reference answer: where the answer is in the response (its format)
 * and when two answers are the same. The RL environments reward {@link #formatOk} and {@link #correct}.
 */
public interface AnswerChecker {

    /** The answer the response gives, if it gives one in the expected format. */
    Optional<String> extract(String response);

    /** True when two extracted answers mean the same thing. */
    boolean equivalent(String answer, String reference);

    /** The instruction appended to a question telling the model how to state its answer. */
    String instruction();

    /** True when the response states an answer in the expected format. */
    default boolean formatOk(String response) {
        return extract(response).isPresent();
    }

    /** True when the response states an answer equivalent to {@code reference}. */
    default boolean correct(String response, String reference) {
        return extract(response).map(a -> equivalent(a, reference)).orElse(false);
    }

    /** Answers in {@code \boxed{...}} (MATH style), compared after LaTeX normalisation and as numbers. */
    static AnswerChecker boxed() {
        return BoxedAnswers.CHECKER;
    }

    /** Answers after {@code ####} (GSM8K style), compared as numbers. */
    static AnswerChecker hashMarked() {
        return HashMarkedAnswers.CHECKER;
    }

    /**
     * A reply that is just a number ({@code 42}, {@code -3.5}, {@code 1,000}, optionally with a trailing period),
     * compared as a number: for small models on short arithmetic, where a format is too much to ask.
     */
    static AnswerChecker bareNumber() {
        return HashMarkedAnswers.BARE;
    }
}
