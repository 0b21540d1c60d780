package dev.luthier.engine.model;

import java.util.ArrayList;
import java.util.List;

/** All weights of a decoder-only transformer. With tied embeddings {@code lmHead} is the embedding. */
public record TransformerWeights(Param embedding, List<LayerWeights> layers, Param finalNorm, Param lmHead) {
    public TransformerWeights {
        layers = List.copyOf(layers);
    }

    public boolean tied() {
        return lmHead == embedding;
    }

    public List<Param> all() {
        List<Param> out = new ArrayList<>();
        out.add(embedding);
        for (LayerWeights l : layers) {
            out.addAll(l.all());
        }
        out.add(finalNorm);
        if (!tied()) {
            out.add(lmHead);
        }
        return out;
    }
}
