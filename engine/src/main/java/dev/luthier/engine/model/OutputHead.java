package dev.luthier.engine.model;

import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.lora.LoraTarget;
import dev.luthier.engine.tensor.Tensor;

import java.util.List;

/**
 * The unembedding fused with log-softmax and the loss's gradient. Rows are processed in chunks so that
 * {@code [tokens × vocab]} logits never exist at once: per chunk, logits (base + each segment's LoRA), their
 * log-sum-exp, the targets' log-probabilities, then (when training) the gradient with respect to the logits and
 * its products back into the hidden states, the LoRA factors and, in full fine-tuning, the head's weight.
 */
public final class OutputHead {
    /** Logit elements per chunk (64 MiB of floats). */
    private static final long CHUNK_ELEMENTS = 16L << 20;

    private final ModelConfig config;
    private final Param weight;
    private final Kernels k;

    OutputHead(ModelConfig config, Param weight, Kernels kernels) {
        this.config = config;
        this.weight = weight;
        this.k = kernels;
    }

    public int chunkRows() {
        return (int) Math.max(1, CHUNK_ELEMENTS / config.vocabSize());
    }

    /**
     * Log-probabilities of {@code targets} ({@code perRow} per row of {@code hidden}); when {@code gradient} is not
     * null, accumulates the backward into {@code dHidden} and the LoRA/head gradients.
     */
    public float[] targetLogprobs(Tensor hidden, List<AdapterSegment> segments, int[] targets, int perRow,
                                  LogprobGradient gradient, Tensor dHidden) {
        int rows = hidden.rows();
        if (targets.length != rows * perRow) {
            throw new IllegalArgumentException("expected " + rows * perRow + " targets for " + rows + " rows, got " + targets.length);
        }
        for (int t : targets) {
            if (t < 0 || t >= config.vocabSize()) {
                throw new IllegalArgumentException("target token id " + t + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
        float[] result = new float[targets.length];
        int chunk = chunkRows();
        for (int r0 = 0; r0 < rows; r0 += chunk) {
            int r1 = Math.min(rows, r0 + chunk);
            int n = r1 - r0;
            Tensor h = hidden.rowSlice(r0, r1);
            Tensor logits = k.allocate(n, config.vocabSize());
            List<AdapterSegment> chunkSegments = AdapterSegment.slice(segments, r0, r1);
            Tensor[] loraHidden = Projection.forward(k, h, weight, null, -1, LoraTarget.LM_HEAD, chunkSegments, logits);
            Tensor lse = k.allocate(n, 1);
            k.logSumExpRows(logits, lse);
            int[] cols = java.util.Arrays.copyOfRange(targets, r0 * perRow, r1 * perRow);
            float[] lp = new float[cols.length];
            k.gatherColumns(logits, cols, perRow, lp);
            float[] lseHost = k.toHost(lse);
            for (int i = 0; i < lp.length; i++) {
                lp[i] -= lseHost[i / perRow];
            }
            System.arraycopy(lp, 0, result, r0 * perRow, lp.length);
            if (gradient == null) {
                continue;
            }
            float[] dLogprob = gradient.gradient(r0, lp);
            k.logprobBackward(logits, lse, cols, dLogprob, perRow);
            Projection.backward(k, h, logits, weight, null, -1, LoraTarget.LM_HEAD, chunkSegments, loraHidden,
                    dHidden.rowSlice(r0, r1));
        }
        return result;
    }

    /** Logits of every row of {@code hidden} (for sampling), with each segment's LoRA. */
    public Tensor logits(Tensor hidden, List<AdapterSegment> segments) {
        Tensor logits = k.allocate(hidden.rows(), config.vocabSize());
        Projection.forward(k, hidden, weight, null, -1, LoraTarget.LM_HEAD, segments, logits);
        return logits;
    }
}
