package dev.luthier.engine.model;

import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

import static dev.luthier.engine.lora.LoraTarget.DOWN_PROJ;
import static dev.luthier.engine.lora.LoraTarget.GATE_PROJ;
import static dev.luthier.engine.lora.LoraTarget.UP_PROJ;

/**
 * The sparse MLP of a mixture-of-experts layer (Qwen3-MoE): {@code p = softmax(x Wrᵀ)} in F32, the top-k experts
 * of each token with their probabilities (divided by their sum when {@code norm_topk_prob}), and
 * {@code out = Σ_chosen w_e · down_e(silu(gate_e(x)) · up_e(x))}. Tokens are grouped by expert: all chosen rows are
 * gathered into one batch ordered by expert (and by token within an expert, so each adapter segment stays one
 * contiguous run), the experts' base products run as grouped products over that batch, each expert adds its
 * per-segment LoRA on its slice, and the weighted outputs are scatter-added back. The backward treats the
 * top-k choice as fixed and differentiates through the routing weights into the router's input.
 */
final class MoeMlp {
    private MoeMlp() {
    }

    /** What the backward needs from the forward. */
    static final class Saved {
        Tensor input;       // [T, D], the normed hidden states the router and experts read
        Tensor logits;      // router logits [T, E]
        int[] experts;      // [T*k] chosen experts
        float[] weights;    // [T*k] routing weights
        Pass[] passes;      // per expert, null when it received no token
    }

    /** One expert's work on the rows routed to it. */
    static final class Pass {
        int[] rows;                 // token rows, ascending
        int[] slots;                // t*k + j of each row's choice
        float[] weights;            // routing weight of each row
        List<AdapterSegment> segments;
        Tensor x, gate, up, hidden, out;
        Tensor[] loraGate, loraUp, loraDown;
    }

    /** Returns the MoE output {@code [T, D]} for {@code x}; {@code save} (may be null) receives the activations. */
    static Tensor forward(Kernels k, ModelConfig c, int layer, LayerWeights w, Tensor x, List<AdapterSegment> segs,
                          Saved save) {
        int t = x.rows(), d = c.hiddenSize(), e = c.numExperts(), topK = c.numExpertsPerToken(), inter = c.moeIntermediateSize();
        Tensor logits = k.allocate(t, e);
        k.matmulNT(x, w.router().value(), logits, 1f, false);
        int[] experts = new int[t * topK];
        float[] weights = new float[t * topK];
        k.routerTopK(logits, topK, c.normTopkProb(), experts, weights);
        Pass[] passes = group(experts, weights, t, e, topK);
        // all experts' rows gathered into one batch, expert by expert: each pass works on its slice of it
        int total = t * topK;
        int[] offsets = new int[e + 1];
        int[] order = new int[total];
        float[] orderWeights = new float[total];
        Tensor[] gateW = new Tensor[e], upW = new Tensor[e], downW = new Tensor[e];
        for (int ex = 0; ex < e; ex++) {
            Pass p = passes[ex];
            int n = p == null ? 0 : p.rows.length;
            offsets[ex + 1] = offsets[ex] + n;
            if (p != null) {
                System.arraycopy(p.rows, 0, order, offsets[ex], n);
                System.arraycopy(p.weights, 0, orderWeights, offsets[ex], n);
                ExpertWeights ew = w.experts().get(ex);
                gateW[ex] = ew.gateProj().value();
                upW[ex] = ew.upProj().value();
                downW[ex] = ew.downProj().value();
            }
        }
        Tensor xAll = k.allocate(total, d);
        k.gatherRows(x, order, null, xAll);
        Tensor gateAll = k.allocate(total, inter), upAll = k.allocate(total, inter);
        k.groupedMatmulNT(xAll, offsets, gateW, gateAll);
        k.groupedMatmulNT(xAll, offsets, upW, upAll);
        for (int ex = 0; ex < e; ex++) {
            Pass p = passes[ex];
            if (p != null) {
                ExpertWeights ew = w.experts().get(ex);
                p.segments = gatheredSegments(segs, p.rows);
                p.x = xAll.rowSlice(offsets[ex], offsets[ex + 1]);
                p.gate = gateAll.rowSlice(offsets[ex], offsets[ex + 1]);
                p.up = upAll.rowSlice(offsets[ex], offsets[ex + 1]);
                p.loraGate = Projection.addLora(k, p.x, layer, ex, GATE_PROJ, p.segments, p.gate);
                p.loraUp = Projection.addLora(k, p.x, layer, ex, UP_PROJ, p.segments, p.up);
            }
        }
        Tensor hiddenAll = k.allocate(total, inter);
        k.swiglu(gateAll, upAll, hiddenAll);
        Tensor outAll = k.allocate(total, d);
        k.groupedMatmulNT(hiddenAll, offsets, downW, outAll);
        for (int ex = 0; ex < e; ex++) {
            Pass p = passes[ex];
            if (p != null) {
                p.hidden = hiddenAll.rowSlice(offsets[ex], offsets[ex + 1]);
                p.out = outAll.rowSlice(offsets[ex], offsets[ex + 1]);
                p.loraDown = Projection.addLora(k, p.hidden, layer, ex, DOWN_PROJ, p.segments, p.out);
            }
        }
        Tensor out = k.allocate(t, d);
        k.scatterAddRows(outAll, order, orderWeights, out);
        if (save != null) {
            save.input = x;
            save.logits = logits;
            save.experts = experts;
            save.weights = weights;
            save.passes = passes;
        }
        return out;
    }

    /** Accumulates into {@code dx} the gradient of the MoE input given {@code dOut}, and LoRA (and full) gradients. */
    static void backward(Kernels k, ModelConfig c, int layer, LayerWeights w, Tensor dOut, Saved s, Tensor dx) {
        int t = dOut.rows(), d = c.hiddenSize(), topK = c.numExpertsPerToken(), inter = c.moeIntermediateSize();
        float[] dWeights = new float[t * topK];
        for (int ex = 0; ex < s.passes.length; ex++) {
            Pass p = s.passes[ex];
            if (p == null) {
                continue;
            }
            ExpertWeights ew = w.experts().get(ex);
            int n = p.rows.length;
            Tensor dOutE = k.allocate(n, d);
            k.gatherRows(dOut, p.rows, null, dOutE);
            float[] dots = new float[n];
            k.rowDots(dOutE, p.out, dots);
            for (int i = 0; i < n; i++) {
                dWeights[p.slots[i]] = dots[i];
            }
            Tensor dY = k.allocate(n, d);
            k.gatherRows(dOut, p.rows, p.weights, dY);
            Tensor dHidden = k.allocate(n, inter);
            Projection.backward(k, p.hidden, dY, ew.downProj(), null, layer, ex, DOWN_PROJ, p.segments, p.loraDown, dHidden);
            Tensor dGate = k.allocate(n, inter);
            Tensor dUp = k.allocate(n, inter);
            k.swigluBackward(dHidden, p.gate, p.up, dGate, dUp);
            Tensor dXe = k.allocate(n, d);
            Projection.backward(k, p.x, dGate, ew.gateProj(), null, layer, ex, GATE_PROJ, p.segments, p.loraGate, dXe);
            Projection.backward(k, p.x, dUp, ew.upProj(), null, layer, ex, UP_PROJ, p.segments, p.loraUp, dXe);
            k.scatterAddRows(dXe, p.rows, null, dx);
        }
        Tensor dLogits = k.allocate(t, c.numExperts());
        k.routerBackward(s.logits, topK, c.normTopkProb(), s.experts, dWeights, dLogits);
        k.matmulNN(dLogits, w.router().value(), dx, 1f, true);
        if (w.router().trainable()) {
            k.matmulTN(dLogits, s.input, w.router().grad(), 1f, true);
        }
    }

    /** Groups the tokens' choices by expert, rows ascending. */
    static Pass[] group(int[] experts, float[] weights, int t, int numExperts, int topK) {
        int[] count = new int[numExperts];
        for (int ex : experts) {
            if (ex < 0 || ex >= numExperts) {
                throw new IllegalStateException("router chose expert " + ex + " of " + numExperts);
            }
            count[ex]++;
        }
        Pass[] passes = new Pass[numExperts];
        for (int ex = 0; ex < numExperts; ex++) {
            if (count[ex] > 0) {
                Pass p = new Pass();
                p.rows = new int[count[ex]];
                p.slots = new int[count[ex]];
                p.weights = new float[count[ex]];
                passes[ex] = p;
            }
        }
        int[] fill = new int[numExperts];
        for (int row = 0; row < t; row++) {
            for (int j = 0; j < topK; j++) {
                int slot = row * topK + j;
                Pass p = passes[experts[slot]];
                int i = fill[experts[slot]]++;
                p.rows[i] = row;
                p.slots[i] = slot;
                p.weights[i] = weights[slot];
            }
        }
        return passes;
    }

    /**
     * The adapter segments of gathered rows: segment {@code [start, end)} of the batch becomes the run of gathered
     * positions whose rows fall in it (contiguous because rows are ascending); empty runs are dropped.
     */
    static List<AdapterSegment> gatheredSegments(List<AdapterSegment> segs, int[] rows) {
        List<AdapterSegment> out = new ArrayList<>();
        for (AdapterSegment seg : segs) {
            int from = lowerBound(rows, seg.start());
            int to = lowerBound(rows, seg.end());
            if (to > from) {
                out.add(new AdapterSegment(from, to, seg.adapter()));
            }
        }
        return out;
    }

    private static int lowerBound(int[] a, int key) {
        int lo = 0, hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
