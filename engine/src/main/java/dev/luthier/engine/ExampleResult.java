package dev.luthier.engine;

/** Per example: the target log-probabilities (N·K, as the targets) and the example's loss sum. */
public record ExampleResult(float[] logprobs, double loss) {
}
