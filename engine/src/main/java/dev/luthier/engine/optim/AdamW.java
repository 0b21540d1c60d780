package dev.luthier.engine.optim;

import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.tensor.Tensor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW with exact {@code torch.optim.AdamW} semantics over one {@link ParameterSet}: the step applies the gradients
 * summed since the last step, optionally clipped to a global norm ({@code torch.nn.utils.clip_grad_norm_}), then
 * clears them. The moments live here, keyed by parameter name, so they can be saved and restored.
 */
public final class AdamW {
    private final Kernels kernels;
    private final Map<String, Tensor> firstMoments = new HashMap<>();
    private final Map<String, Tensor> secondMoments = new HashMap<>();
    private int step;

    public AdamW(Kernels kernels) {
        this.kernels = kernels;
    }

    public int step() {
        return step;
    }

    /** The global L2 norm of the accumulated gradients. */
    public static double gradientNorm(Kernels kernels, ParameterSet params) {
        double sum = 0;
        for (ParameterSet.Entry e : params.parameters()) {
            sum += kernels.sumOfSquares(e.grad());
        }
        return Math.sqrt(sum);
    }

    public StepResult apply(ParameterSet params, AdamParams hp) {
        List<ParameterSet.Entry> entries = params.parameters();
        double norm = gradientNorm(kernels, params);
        if (!Double.isFinite(norm)) {
            for (ParameterSet.Entry e : entries) {
                kernels.fill(e.grad(), 0f);
            }
            throw new IllegalStateException("gradient norm is not finite (" + norm + "); the step was skipped and the gradients cleared");
        }
        boolean clipped = false;
        if (hp.gradClipNorm() > 0 && norm > hp.gradClipNorm()) {
            float coefficient = (float) (hp.gradClipNorm() / (norm + 1e-6));
            for (ParameterSet.Entry e : entries) {
                kernels.scale(e.grad(), coefficient);
            }
            clipped = true;
        }
        step++;
        for (ParameterSet.Entry e : entries) {
            Tensor m = firstMoments.computeIfAbsent(e.name(), n -> kernels.allocate(e.value().rows(), e.value().cols()));
            Tensor v = secondMoments.computeIfAbsent(e.name(), n -> kernels.allocate(e.value().rows(), e.value().cols()));
            kernels.adamw(e.value(), e.grad(), m, v, (float) hp.learningRate(), (float) hp.beta1(), (float) hp.beta2(),
                    (float) hp.eps(), (float) hp.weightDecay(), step);
            kernels.fill(e.grad(), 0f);
        }
        return new StepResult(step, norm, clipped);
    }

    /** The moments of a parameter (null before its first step), for checkpoints. */
    public Tensor firstMoment(String name) {
        return firstMoments.get(name);
    }

    public Tensor secondMoment(String name) {
        return secondMoments.get(name);
    }

    /** Restores state from a checkpoint. */
    public void restore(int step, Map<String, Tensor> first, Map<String, Tensor> second) {
        this.step = step;
        firstMoments.clear();
        firstMoments.putAll(first);
        secondMoments.clear();
        secondMoments.putAll(second);
    }
}
