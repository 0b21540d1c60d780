package dev.luthier.engine.model;

import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraModule;
import dev.luthier.engine.lora.LoraTarget;
import dev.luthier.engine.tensor.Tensor;

import java.util.List;

/**
 * A linear projection of a packed multi-adapter batch: the base product once over all rows, then each segment's
 * LoRA product on its own rows ({@code y_s += scale · (x_s Aᵀ) Bᵀ}), as Punica's segmented LoRA does.
 */
final class Projection {
    private Projection() {
    }

    /**
     * Computes {@code y = x Wᵀ (+ bias) (+ LoRA per segment)}, and returns each segment's {@code x_s Aᵀ} (null entries
     * where the segment has no LoRA on this target) for the backward.
     */
    static Tensor[] forward(Kernels k, Tensor x, Param weight, Param bias, int layer, LoraTarget target,
                            List<AdapterSegment> segments, Tensor y) {
        return forward(k, x, weight, bias, layer, -1, target, segments, y);
    }

    /** The same for expert {@code expert} of a mixture-of-experts layer (-1: the layer's own projection). */
    static Tensor[] forward(Kernels k, Tensor x, Param weight, Param bias, int layer, int expert, LoraTarget target,
                            List<AdapterSegment> segments, Tensor y) {
        k.matmulNT(x, weight.value(), y, 1f, false);
        if (bias != null) {
            k.addRowVector(bias.value(), y);
        }
        return addLora(k, x, layer, expert, target, segments, y);
    }

    /** Adds each segment's LoRA product to {@code y} (already holding the base product); returns the {@code x_s Aᵀ}. */
    static Tensor[] addLora(Kernels k, Tensor x, int layer, int expert, LoraTarget target, List<AdapterSegment> segments,
                            Tensor y) {
        Tensor[] loraHidden = new Tensor[segments.size()];
        for (int s = 0; s < segments.size(); s++) {
            AdapterSegment seg = segments.get(s);
            LoraModule m = module(seg.adapter(), layer, expert, target);
            if (m == null) {
                continue;
            }
            Tensor xs = x.rowSlice(seg.start(), seg.end());
            Tensor u = k.allocate(seg.rows(), m.rank());
            k.matmulNT(xs, m.a(), u, 1f, false);
            k.matmulNT(u, m.b(), y.rowSlice(seg.start(), seg.end()), seg.adapter().scale(), true);
            loraHidden[s] = u;
        }
        return loraHidden;
    }

    /**
     * Accumulates {@code dx += dy W} (+ LoRA), the LoRA gradients of each segment's adapter, and, for trainable base
     * weights, {@code dW += dyᵀ x} and the bias gradient. {@code dx} may be null when the input needs no gradient.
     */
    static void backward(Kernels k, Tensor x, Tensor dy, Param weight, Param bias, int layer, LoraTarget target,
                         List<AdapterSegment> segments, Tensor[] loraHidden, Tensor dx) {
        backward(k, x, dy, weight, bias, layer, -1, target, segments, loraHidden, dx);
    }

    /** The same for expert {@code expert} of a mixture-of-experts layer (-1: the layer's own projection). */
    static void backward(Kernels k, Tensor x, Tensor dy, Param weight, Param bias, int layer, int expert,
                         LoraTarget target, List<AdapterSegment> segments, Tensor[] loraHidden, Tensor dx) {
        if (dx != null) {
            k.matmulNN(dy, weight.value(), dx, 1f, true);
        }
        if (weight.trainable()) {
            k.matmulTN(dy, x, weight.grad(), 1f, true);
        }
        if (bias != null && bias.trainable()) {
            k.sumRows(dy, bias.grad());
        }
        for (int s = 0; s < segments.size(); s++) {
            AdapterSegment seg = segments.get(s);
            LoraModule m = module(seg.adapter(), layer, expert, target);
            if (m == null) {
                continue;
            }
            float scale = seg.adapter().scale();
            Tensor xs = x.rowSlice(seg.start(), seg.end());
            Tensor dys = dy.rowSlice(seg.start(), seg.end());
            Tensor u = loraHidden[s];
            k.matmulTN(dys, u, m.gradB(), scale, true);
            Tensor du = k.allocate(seg.rows(), m.rank());
            k.matmulNN(dys, m.b(), du, scale, false);
            k.matmulTN(du, xs, m.gradA(), 1f, true);
            if (dx != null) {
                k.matmulNN(du, m.a(), dx.rowSlice(seg.start(), seg.end()), 1f, true);
            }
        }
    }

    static LoraModule module(LoraAdapter adapter, int layer, int expert, LoraTarget target) {
        if (adapter == null) {
            return null;
        }
        return expert < 0 ? adapter.module(layer, target) : adapter.expertModule(layer, expert, target);
    }
}
