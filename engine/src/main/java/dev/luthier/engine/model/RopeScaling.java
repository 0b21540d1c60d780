package dev.luthier.engine.model;

/**
 * Llama 3's rope scaling ({@code rope_scaling.rope_type == "llama3"}): long wavelengths are divided by
 * {@code factor}, short ones kept, and the band between is interpolated.
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                          int originalMaxPositionEmbeddings) {
}
