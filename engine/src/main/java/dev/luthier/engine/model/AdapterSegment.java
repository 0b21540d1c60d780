package dev.luthier.engine.model;

import dev.luthier.engine.lora.LoraAdapter;

/** Rows {@code [start, end)} of a packed batch that share one adapter ({@code adapter} null: the base model alone). */
public record AdapterSegment(int start, int end, LoraAdapter adapter) {
    public int rows() {
        return end - start;
    }
}
