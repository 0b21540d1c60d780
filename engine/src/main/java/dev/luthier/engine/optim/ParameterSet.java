package dev.luthier.engine.optim;

import dev.luthier.engine.tensor.Tensor;

import java.util.List;

/** Trainable tensors with their gradient accumulators, in a stable order. */
public interface ParameterSet {
    record Entry(String name, Tensor value, Tensor grad) {
    }

    List<Entry> parameters();
}
