package dev.luthier.engine.model;

/** One expert of a mixture-of-experts MLP: a SwiGLU MLP with {@code moe_intermediate_size}, {@code [out, in]}. */
public record ExpertWeights(Param gateProj, Param upProj, Param downProj) {
}
