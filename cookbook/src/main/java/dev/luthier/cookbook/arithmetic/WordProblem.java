package dev.luthier.cookbook.arithmetic;

/**
 * One arithmetic word problem: the question as a person would ask it and the arithmetic behind it.
 *
 * @param question  e.g. "Tom has 7 apples and buys 5 more. How many apples does Tom have now?"
 * @param operation what the question asks for
 * @param a         the first operand as the question states it
 * @param b         the second operand
 */
public record WordProblem(String question, Operation operation, int a, int b) {

    public WordProblem {
        if (question == null || question.isBlank()) {
            throw new IllegalArgumentException("a word problem needs a question");
        }
    }

    public int answer() {
        return operation.apply(a, b);
    }

    /** The worked answer, e.g. {@code "7 + 5 = 12"}: the equation that solves the problem. */
    public String workedAnswer() {
        return a + " " + operation.symbol() + " " + b + " = " + answer();
    }
}
