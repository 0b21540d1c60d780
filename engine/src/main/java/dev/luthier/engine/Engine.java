package dev.luthier.engine;

import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraConfig;
import dev.luthier.engine.model.ForwardTape;
import dev.luthier.engine.model.LogprobGradient;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.PackedBatch;
import dev.luthier.engine.model.Transformer;
import dev.luthier.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One base model and the training operations on it: multi-adapter forward/backward passes with Tinker's losses.
 * Examples of many adapters (and of the bare base model) share one pass; each adapter's gradients stay its own.
 * Not thread-safe: one worker drives an engine.
 */
public final class Engine {
    /** Above this many activation floats per layer, layers are recomputed in the backward rather than kept. */
    private static final long KEEP_ACTIVATIONS_LIMIT = 1L << 30;

    private final Transformer model;

    public Engine(Transformer model) {
        this.model = model;
    }

    public Transformer model() {
        return model;
    }

    public ModelConfig config() {
        return model.config();
    }

    public Kernels kernels() {
        return model.kernels();
    }

    public LoraAdapter createAdapter(String id, LoraConfig config) {
        return LoraAdapter.create(id, config, model.config(), model.kernels());
    }

    /**
     * Runs the examples in one pass; with {@code backward} the loss gradients are added to each adapter's
     * gradient accumulators. Results come back in the examples' order.
     */
    public List<ExampleResult> forwardBackward(List<TrainingExample> examples, boolean backward) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no examples");
        }
        // Group by adapter so that each adapter's rows form one segment; remember where each example lands.
        Map<LoraAdapter, Integer> firstSeen = new IdentityHashMap<>();
        Integer[] order = new Integer[examples.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            firstSeen.putIfAbsent(examples.get(i).adapter(), i);
        }
        Arrays.sort(order, Comparator.comparingInt(i -> firstSeen.get(examples.get(i).adapter())));

        int perRow = 1;
        for (TrainingExample e : examples) {
            perRow = Math.max(perRow, e.lossInputs().targetsPerToken());
        }
        List<PackedBatch.Sequence> sequences = new ArrayList<>();
        int totalRows = 0;
        for (int i : order) {
            TrainingExample e = examples.get(i);
            sequences.add(new PackedBatch.Sequence(e.inputTokens(), e.adapter()));
            totalRows += e.inputTokens().length;
        }
        PackedBatch batch = PackedBatch.of(sequences);

        // Row r of the batch belongs to example rowExample[r] at position rowPosition[r].
        int[] rowExample = new int[totalRows];
        int[] rowPosition = new int[totalRows];
        int[] targets = new int[totalRows * perRow];
        int row = 0;
        for (int i : order) {
            TrainingExample e = examples.get(i);
            int k = e.lossInputs().targetsPerToken();
            int[] t = e.lossInputs().targetTokens();
            for (int p = 0; p < e.inputTokens().length; p++, row++) {
                rowExample[row] = i;
                rowPosition[row] = p;
                for (int j = 0; j < perRow; j++) {
                    targets[row * perRow + j] = t[p * k + Math.min(j, k - 1)];
                }
            }
        }

        double[] losses = new double[examples.size()];
        float[][] logprobs = new float[examples.size()][];
        for (int i = 0; i < examples.size(); i++) {
            logprobs[i] = new float[examples.get(i).lossInputs().targetTokens().length];
        }
        final int width = perRow;
        LogprobGradient gradient = (rowStart, lp) -> {
            float[] d = new float[lp.length];
            int rows = lp.length / width;
            for (int r = 0; r < rows; r++) {
                int ex = rowExample[rowStart + r];
                int pos = rowPosition[rowStart + r];
                TrainingExample e = examples.get(ex);
                int k = e.lossInputs().targetsPerToken();
                for (int j = 0; j < k; j++) {
                    int entry = pos * k + j;
                    float value = lp[r * width + j];
                    logprobs[ex][entry] = value;
                    losses[ex] += e.loss().term(e.lossInputs(), entry, value, d, r * width + j);
                }
            }
            return d;
        };

        if (backward) {
            boolean recompute = (long) totalRows * activationFloatsPerToken() > KEEP_ACTIVATIONS_LIMIT;
            ForwardTape tape = model.forwardForTraining(batch, recompute);
            Tensor dHidden = model.kernels().allocate(totalRows, model.config().hiddenSize());
            model.head().targetLogprobs(tape.hidden(), batch.segments(), targets, perRow, gradient, dHidden);
            model.backward(tape, dHidden);
        } else {
            Tensor hidden = model.forward(batch, null);
            float[] lp = model.head().targetLogprobs(hidden, batch.segments(), targets, perRow, null, null);
            gradient.gradient(0, lp);
        }
        List<ExampleResult> results = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            results.add(new ExampleResult(logprobs[i], losses[i]));
        }
        return results;
    }

    /** Floats a layer keeps per token when activations are not recomputed. */
    private long activationFloatsPerToken() {
        ModelConfig c = model.config();
        return (long) c.numLayers() * (6L * c.hiddenSize() + 4L * c.qDim() + 4L * c.kvDim() + 3L * c.intermediateSize());
    }
}
