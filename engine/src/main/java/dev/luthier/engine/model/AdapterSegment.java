package dev.luthier.engine.model;

import dev.luthier.engine.lora.LoraAdapter;

/** Rows {@code [start, end)} of a packed batch that share one adapter ({@code adapter} null: the base model alone). */
public record AdapterSegment(int start, int end, LoraAdapter adapter) {
    public int rows() {
        return end - start;
    }

    /** The parts of {@code segments} inside rows {@code [from, to)}, renumbered from {@code from}. */
    public static java.util.List<AdapterSegment> slice(java.util.List<AdapterSegment> segments, int from, int to) {
        java.util.List<AdapterSegment> out = new java.util.ArrayList<>();
        for (AdapterSegment s : segments) {
            int a = Math.max(s.start, from);
            int b = Math.min(s.end, to);
            if (a < b) {
                out.add(new AdapterSegment(a - from, b - from, s.adapter));
            }
        }
        return out;
    }
}
