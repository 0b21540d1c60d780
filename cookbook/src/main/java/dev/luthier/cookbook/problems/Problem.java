package dev.luthier.cookbook.problems;

import java.util.Objects;

/**
 * A problem with a checkable answer: its id (stable across runs, e.g. {@code gsm8k-test-17}), the question as the
 * model is to read it, and the reference answer (already extracted: {@code 42}, {@code \frac{1}{2}}).
 */
public record Problem(String id, String question, String answer) {
    public Problem {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(answer, "answer");
    }
}
