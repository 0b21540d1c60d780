package dev.luthier.engine.model;

import dev.luthier.engine.kernels.AttentionSpans;
import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.tensor.Tensor;

/**
 * A decoder-only transformer (Llama, Qwen2, Qwen3) over packed multi-adapter batches: embedding, decoder layers,
 * final norm. The output head is {@link OutputHead}. Forward and backward are written op by op; base weights are
 * frozen unless their {@link Param} carries a gradient (full fine-tuning).
 */
public final class Transformer {
    private final ModelConfig config;
    private final TransformerWeights weights;
    private final Kernels kernels;
    private final DecoderLayer[] layers;
    private final RopeTables rope;
    private final OutputHead head;

    public Transformer(ModelConfig config, TransformerWeights weights, Kernels kernels, int maxPositions) {
        this.config = config;
        this.weights = weights;
        this.kernels = kernels;
        this.layers = new DecoderLayer[config.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = new DecoderLayer(config, l, weights.layers().get(l), kernels);
        }
        this.rope = RopeTables.create(config, maxPositions, kernels);
        this.head = new OutputHead(config, weights.lmHead(), kernels);
    }

    public ModelConfig config() {
        return config;
    }

    public TransformerWeights weights() {
        return weights;
    }

    public Kernels kernels() {
        return kernels;
    }

    public OutputHead head() {
        return head;
    }

    public int maxPositions() {
        return rope.positions();
    }

    /**
     * The training forward: returns a tape whose {@link ForwardTape#hidden()} feeds the output head and whose
     * activations feed {@link #backward}. With {@code recompute} only each layer's input is kept and the layer is
     * recomputed during the backward (less memory, one more forward of compute).
     */
    public ForwardTape forwardForTraining(PackedBatch batch, boolean recompute) {
        checkBatch(batch);
        AttentionSpans spans = AttentionSpans.selfAttention(batch.seqStart(), batch.seqLen());
        ForwardTape tape = new ForwardTape(batch, spans, layers.length, recompute);
        Tensor x = embed(batch);
        for (int l = 0; l < layers.length; l++) {
            LayerActivations a = new LayerActivations();
            if (recompute) {
                a.input = x;
                x = layers[l].forward(x, batch, spans, rope, null, null);
            } else {
                x = layers[l].forward(x, batch, spans, rope, null, a);
            }
            tape.layers[l] = a;
        }
        tape.finalInput = x;
        tape.finalRstd = kernels.allocate(x.rows(), 1);
        tape.hidden = kernels.allocate(x.rows(), config.hiddenSize());
        kernels.rmsNorm(x, weights.finalNorm().value(), (float) config.rmsNormEps(), tape.hidden, tape.finalRstd);
        return tape;
    }

    /**
     * The inference forward: returns the final hidden states {@code [T, D]}. With a cache, each sequence's new
     * keys and values are appended to its slot and the slot's length advanced.
     */
    public Tensor forward(PackedBatch batch, KvCache cache) {
        checkBatch(batch);
        AttentionSpans spans = spans(batch, cache);
        Tensor x = embed(batch);
        for (DecoderLayer layer : layers) {
            x = layer.forward(x, batch, spans, rope, cache, null);
        }
        if (cache != null) {
            for (int s = 0; s < batch.sequences(); s++) {
                cache.advance(batch.cacheSlot()[s], batch.seqLen()[s]);
            }
        }
        kernels.rmsNorm(x, weights.finalNorm().value(), (float) config.rmsNormEps(), x, null);
        return x;
    }

    /** Back-propagates the gradient of the final hidden states through the model into LoRA (and full) gradients. */
    public void backward(ForwardTape tape, Tensor dHidden) {
        Tensor dx = kernels.allocate(dHidden.rows(), config.hiddenSize());
        kernels.rmsNormBackward(dHidden, tape.finalInput, weights.finalNorm().value(), tape.finalRstd, dx,
                weights.finalNorm().grad());
        for (int l = layers.length - 1; l >= 0; l--) {
            LayerActivations a = tape.layers[l];
            if (tape.recompute) {
                LayerActivations full = new LayerActivations();
                layers[l].forward(a.input, tape.batch, tape.spans, rope, null, full);
                a = full;
            }
            dx = layers[l].backward(dx, tape.batch, tape.spans, rope, a);
            tape.layers[l] = null;
        }
        if (weights.embedding().trainable()) {
            kernels.embeddingBackward(dx, tape.batch.tokens(), weights.embedding().grad());
        }
    }

    private Tensor embed(PackedBatch batch) {
        Tensor x = kernels.allocate(batch.rows(), config.hiddenSize());
        kernels.embeddingLookup(weights.embedding().value(), batch.tokens(), x);
        return x;
    }

    private AttentionSpans spans(PackedBatch batch, KvCache cache) {
        if (cache == null) {
            return AttentionSpans.selfAttention(batch.seqStart(), batch.seqLen());
        }
        int n = batch.sequences();
        int[] keyStart = new int[n];
        int[] keyLen = new int[n];
        for (int s = 0; s < n; s++) {
            int slot = batch.cacheSlot()[s];
            keyStart[s] = slot * cache.maxLength();
            keyLen[s] = cache.length(slot) + batch.seqLen()[s];
            if (keyLen[s] > cache.maxLength()) {
                throw new IllegalArgumentException("sequence of " + keyLen[s] + " tokens exceeds the KV cache's "
                        + cache.maxLength() + " positions");
            }
        }
        return new AttentionSpans(batch.seqStart(), batch.seqLen(), keyStart, keyLen);
    }

    private void checkBatch(PackedBatch batch) {
        for (int t : batch.tokens()) {
            if (t < 0 || t >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + t + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
        for (int p : batch.positions()) {
            if (p >= rope.positions()) {
                throw new IllegalArgumentException("position " + p + " exceeds the model's context of " + rope.positions() + " tokens");
            }
        }
    }
}
