package dev.luthier.engine.lora;

import dev.luthier.engine.tensor.Tensor;

/**
 * One LoRA pair on one projection {@code W [out, in]}: {@code y += scale · (x Aᵀ) Bᵀ} with A {@code [r, in]} and
 * B {@code [out, r]}, and their gradient accumulators (summed over every backward until the optimizer clears them).
 */
public record LoraModule(Tensor a, Tensor b, Tensor gradA, Tensor gradB) {
    public int rank() {
        return a.rows();
    }

    public int inFeatures() {
        return a.cols();
    }

    public int outFeatures() {
        return b.rows();
    }
}
