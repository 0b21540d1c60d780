package dev.luthier.cli.basemodel;

/**
 * The shape and pretraining budget of the demo's base model: a Llama with tied embeddings and a byte-level BPE
 * vocabulary learned from the corpus.
 *
 * @param name          the directory name under {@code DATA/models}
 * @param documents     pretraining documents per step
 * @param learningRate  peak AdamW learning rate (linear warm-up, then cosine decay to a tenth)
 */
public record BaseModelSpec(String name, int hiddenSize, int layers, int heads, int intermediateSize, int bpeMerges,
                            int steps, int documents, double learningRate, int warmupSteps, long seed) {

    public BaseModelSpec {
        if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("a base model name is letters, digits, '.', '_' or '-', got " + name);
        }
        if (hiddenSize <= 0 || layers <= 0 || heads <= 0 || hiddenSize % heads != 0 || (hiddenSize / heads) % 2 != 0) {
            throw new IllegalArgumentException("hidden size " + hiddenSize + " must split into " + heads
                    + " heads of an even size");
        }
        if (steps <= 0 || documents <= 0 || warmupSteps < 0 || !(learningRate > 0)) {
            throw new IllegalArgumentException("steps, documents and learning rate must be positive");
        }
    }

    /** The demo's default base model. */
    public static BaseModelSpec standard() {
        return new BaseModelSpec("luthier-arithmetic-1m", 128, 4, 4, 384, 400, 900, 32, 4e-3, 20, 20261129L);
    }

    public int headDim() {
        return hiddenSize / heads;
    }
}
