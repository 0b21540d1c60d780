package dev.luthier.engine.model;

import dev.luthier.engine.kernels.AttentionSpans;
import dev.luthier.engine.tensor.Tensor;

/**
 * What a training forward pass keeps for its backward: the batch, every layer's activations (or, with activation
 * recomputation, only each layer's input), and the final norm's input and statistics.
 */
public final class ForwardTape {
    final PackedBatch batch;
    final AttentionSpans spans;
    final LayerActivations[] layers;
    final boolean recompute;
    Tensor finalInput;
    Tensor finalRstd;
    Tensor hidden;

    ForwardTape(PackedBatch batch, AttentionSpans spans, int layers, boolean recompute) {
        this.batch = batch;
        this.spans = spans;
        this.layers = new LayerActivations[layers];
        this.recompute = recompute;
    }

    public PackedBatch batch() {
        return batch;
    }

    /** The final hidden states after the last norm, {@code [T, D]}: the input of the output head. */
    public Tensor hidden() {
        return hidden;
    }
}
