package dev.luthier.server.training;

import dev.luthier.engine.loss.LossInputs;

/**
 * One datum of a forward/backward request: the model input's tokens and the loss inputs, with the shape the
 * outputs must take ({@code [N]} or {@code [N, K]} like {@code target_tokens}).
 */
public record TrainingDatum(int[] tokens, LossInputs lossInputs, int[] targetShape) {
    public int tokenCount() {
        return tokens.length;
    }
}
