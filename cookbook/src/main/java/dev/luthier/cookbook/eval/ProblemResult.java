package dev.luthier.cookbook.eval;

import java.util.List;

/**
 * One problem's evaluation: how many of its samples were correct and well formatted, their parsed replies, and the
 * greedy reply and whether it was correct (null when greedy decoding was not asked for).
 */
public record ProblemResult(String id, String reference, int samples, int correct, int formatted,
                            List<String> responses, Boolean greedyCorrect, String greedyResponse) {
    public ProblemResult {
        responses = List.copyOf(responses);
    }
}
