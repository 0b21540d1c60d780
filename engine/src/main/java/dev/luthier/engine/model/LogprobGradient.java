package dev.luthier.engine.model;

/**
 * The gradient of a loss with respect to target log-probabilities, asked for one chunk of rows at a time.
 */
@FunctionalInterface
public interface LogprobGradient {
    /**
     * @param rowStart  the first row of the chunk
     * @param logprobs  the chunk's target log-probabilities, {@code perRow} per row
     * @return dLoss/dLogprob for the same entries
     */
    float[] gradient(int rowStart, float[] logprobs);
}
