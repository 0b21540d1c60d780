package dev.luthier.engine.model;

import dev.luthier.engine.tensor.Tensor;

/**
 * A weight of the base model and, in full fine-tuning mode, its gradient accumulator (null when frozen).
 */
public record Param(Tensor value, Tensor grad) {
    public static Param frozen(Tensor value) {
        return new Param(value, null);
    }

    public boolean trainable() {
        return grad != null;
    }
}
