package dev.luthier.engine.model;

import dev.luthier.engine.kernels.AttentionSpans;
import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.tensor.Tensor;

import java.util.List;

import static dev.luthier.engine.lora.LoraTarget.DOWN_PROJ;
import static dev.luthier.engine.lora.LoraTarget.GATE_PROJ;
import static dev.luthier.engine.lora.LoraTarget.K_PROJ;
import static dev.luthier.engine.lora.LoraTarget.O_PROJ;
import static dev.luthier.engine.lora.LoraTarget.Q_PROJ;
import static dev.luthier.engine.lora.LoraTarget.UP_PROJ;
import static dev.luthier.engine.lora.LoraTarget.V_PROJ;

/**
 * One pre-norm decoder layer: {@code h = x + o(attn(rope(norm(q)), rope(norm(k)), v))}, then
 * {@code out = h + down(silu(gate(norm(h))) · up(norm(h)))}, or in a mixture-of-experts layer
 * {@code out = h + MoE(norm(h))} ({@link MoeMlp}). Forward and a hand-written backward.
 */
final class DecoderLayer {
    private final ModelConfig config;
    private final int index;
    private final LayerWeights w;
    private final Kernels k;
    private final float eps;
    private final float attentionScale;

    DecoderLayer(ModelConfig config, int index, LayerWeights weights, Kernels kernels) {
        this.config = config;
        this.index = index;
        this.w = weights;
        this.k = kernels;
        this.eps = (float) config.rmsNormEps();
        this.attentionScale = (float) (1.0 / Math.sqrt(config.headDim()));
    }

    /**
     * Runs the layer on {@code x} and returns its output. With {@code cache} the new keys and values are written to
     * the cache and attention reads from it. {@code save} (may be null) receives what the backward needs.
     */
    Tensor forward(Tensor x, PackedBatch batch, AttentionSpans spans, RopeTables rope, KvCache cache,
                   LayerActivations save) {
        int t = x.rows();
        List<AdapterSegment> segs = batch.segments();
        Tensor rstd1 = k.allocate(t, 1);
        Tensor xn1 = k.allocate(t, config.hiddenSize());
        k.rmsNorm(x, w.inputNorm().value(), eps, xn1, rstd1);

        Tensor q = k.allocate(t, config.qDim());
        Tensor kk = k.allocate(t, config.kvDim());
        Tensor v = k.allocate(t, config.kvDim());
        Tensor[] loraQ = Projection.forward(k, xn1, w.qProj(), w.qBias(), index, Q_PROJ, segs, q);
        Tensor[] loraK = Projection.forward(k, xn1, w.kProj(), w.kBias(), index, K_PROJ, segs, kk);
        Tensor[] loraV = Projection.forward(k, xn1, w.vProj(), w.vBias(), index, V_PROJ, segs, v);

        Tensor qPre = null, kPre = null, qRstd = null, kRstd = null;
        if (config.qkNorm()) {
            qPre = q;
            kPre = kk;
            q = k.allocate(t, config.qDim());
            kk = k.allocate(t, config.kvDim());
            qRstd = k.allocate(t * config.numHeads(), 1);
            kRstd = k.allocate(t * config.numKvHeads(), 1);
            k.rmsNorm(qPre.view(t * config.numHeads(), config.headDim()), w.qNorm().value(), eps,
                    q.view(t * config.numHeads(), config.headDim()), qRstd);
            k.rmsNorm(kPre.view(t * config.numKvHeads(), config.headDim()), w.kNorm().value(), eps,
                    kk.view(t * config.numKvHeads(), config.headDim()), kRstd);
        }
        k.rope(q, config.numHeads(), config.headDim(), batch.positions(), rope.cos(), rope.sin(), false);
        k.rope(kk, config.numKvHeads(), config.headDim(), batch.positions(), rope.cos(), rope.sin(), false);

        Tensor attn = k.allocate(t, config.qDim());
        Tensor lse = save != null ? k.allocate(t, config.numHeads()) : null;
        if (cache == null) {
            k.attention(q, kk, v, attn, lse, spans, config.numHeads(), config.numKvHeads(), config.headDim(), attentionScale);
        } else {
            Tensor ck = cache.keys(index);
            Tensor cv = cache.values(index);
            for (int s = 0; s < batch.sequences(); s++) {
                int dst = batch.cacheSlot()[s] * cache.maxLength() + cache.length(batch.cacheSlot()[s]);
                int src = batch.seqStart()[s];
                int n = batch.seqLen()[s];
                k.copy(kk.rowSlice(src, src + n), ck.rowSlice(dst, dst + n));
                k.copy(v.rowSlice(src, src + n), cv.rowSlice(dst, dst + n));
            }
            k.attention(q, ck, cv, attn, lse, spans, config.numHeads(), config.numKvHeads(), config.headDim(), attentionScale);
        }

        Tensor middle = k.allocate(t, config.hiddenSize());
        Tensor[] loraO = Projection.forward(k, attn, w.oProj(), w.oBias(), index, O_PROJ, segs, middle);
        k.addScaled(x, 1f, middle);

        Tensor rstd2 = k.allocate(t, 1);
        Tensor xn2 = k.allocate(t, config.hiddenSize());
        k.rmsNorm(middle, w.postAttentionNorm().value(), eps, xn2, rstd2);
        Tensor gate = null, up = null, hidden = null, out;
        Tensor[] loraGate = null, loraUp = null, loraDown = null;
        MoeMlp.Saved moe = null;
        if (w.isMoe()) {
            moe = save != null ? new MoeMlp.Saved() : null;
            out = MoeMlp.forward(k, config, index, w, xn2, segs, moe);
        } else {
            gate = k.allocate(t, config.intermediateSize());
            up = k.allocate(t, config.intermediateSize());
            loraGate = Projection.forward(k, xn2, w.gateProj(), null, index, GATE_PROJ, segs, gate);
            loraUp = Projection.forward(k, xn2, w.upProj(), null, index, UP_PROJ, segs, up);
            hidden = k.allocate(t, config.intermediateSize());
            k.swiglu(gate, up, hidden);
            out = k.allocate(t, config.hiddenSize());
            loraDown = Projection.forward(k, hidden, w.downProj(), null, index, DOWN_PROJ, segs, out);
        }
        k.addScaled(middle, 1f, out);

        if (save != null) {
            save.input = x;
            save.inputRstd = rstd1;
            save.normedInput = xn1;
            save.qPreNorm = qPre;
            save.kPreNorm = kPre;
            save.qRstd = qRstd;
            save.kRstd = kRstd;
            save.q = q;
            save.k = kk;
            save.v = v;
            save.attention = attn;
            save.lse = lse;
            save.middle = middle;
            save.middleRstd = rstd2;
            save.normedMiddle = xn2;
            save.gate = gate;
            save.up = up;
            save.hidden = hidden;
            save.loraQ = loraQ;
            save.loraK = loraK;
            save.loraV = loraV;
            save.loraO = loraO;
            save.loraGate = loraGate;
            save.loraUp = loraUp;
            save.loraDown = loraDown;
            save.moe = moe;
        }
        return out;
    }

    /** Given {@code dOut}, the gradient of the layer's output, returns the gradient of its input. */
    Tensor backward(Tensor dOut, PackedBatch batch, AttentionSpans spans, RopeTables rope, LayerActivations a) {
        int t = dOut.rows();
        List<AdapterSegment> segs = batch.segments();

        Tensor dMiddle = k.allocate(t, config.hiddenSize());
        k.copy(dOut, dMiddle);
        Tensor dXn2 = k.allocate(t, config.hiddenSize());
        if (w.isMoe()) {
            MoeMlp.backward(k, config, index, w, dOut, a.moe, dXn2);
        } else {
            Tensor dHidden = k.allocate(t, config.intermediateSize());
            Projection.backward(k, a.hidden, dOut, w.downProj(), null, index, DOWN_PROJ, segs, a.loraDown, dHidden);
            Tensor dGate = k.allocate(t, config.intermediateSize());
            Tensor dUp = k.allocate(t, config.intermediateSize());
            k.swigluBackward(dHidden, a.gate, a.up, dGate, dUp);
            Projection.backward(k, a.normedMiddle, dGate, w.gateProj(), null, index, GATE_PROJ, segs, a.loraGate, dXn2);
            Projection.backward(k, a.normedMiddle, dUp, w.upProj(), null, index, UP_PROJ, segs, a.loraUp, dXn2);
        }
        k.rmsNormBackward(dXn2, a.middle, w.postAttentionNorm().value(), a.middleRstd, dMiddle,
                grad(w.postAttentionNorm()));

        Tensor dInput = k.allocate(t, config.hiddenSize());
        k.copy(dMiddle, dInput);
        Tensor dAttn = k.allocate(t, config.qDim());
        Projection.backward(k, a.attention, dMiddle, w.oProj(), w.oBias(), index, O_PROJ, segs, a.loraO, dAttn);
        Tensor dq = k.allocate(t, config.qDim());
        Tensor dk = k.allocate(t, config.kvDim());
        Tensor dv = k.allocate(t, config.kvDim());
        k.attentionBackward(dAttn, a.q, a.k, a.v, a.attention, a.lse, spans, config.numHeads(), config.numKvHeads(),
                config.headDim(), attentionScale, dq, dk, dv);
        k.rope(dq, config.numHeads(), config.headDim(), batch.positions(), rope.cos(), rope.sin(), true);
        k.rope(dk, config.numKvHeads(), config.headDim(), batch.positions(), rope.cos(), rope.sin(), true);
        if (config.qkNorm()) {
            Tensor dqPre = k.allocate(t, config.qDim());
            Tensor dkPre = k.allocate(t, config.kvDim());
            int hq = t * config.numHeads();
            int hk = t * config.numKvHeads();
            int hd = config.headDim();
            k.rmsNormBackward(dq.view(hq, hd), a.qPreNorm.view(hq, hd), w.qNorm().value(), a.qRstd, dqPre.view(hq, hd), grad(w.qNorm()));
            k.rmsNormBackward(dk.view(hk, hd), a.kPreNorm.view(hk, hd), w.kNorm().value(), a.kRstd, dkPre.view(hk, hd), grad(w.kNorm()));
            dq = dqPre;
            dk = dkPre;
        }
        Tensor dXn1 = k.allocate(t, config.hiddenSize());
        Projection.backward(k, a.normedInput, dq, w.qProj(), w.qBias(), index, Q_PROJ, segs, a.loraQ, dXn1);
        Projection.backward(k, a.normedInput, dk, w.kProj(), w.kBias(), index, K_PROJ, segs, a.loraK, dXn1);
        Projection.backward(k, a.normedInput, dv, w.vProj(), w.vBias(), index, V_PROJ, segs, a.loraV, dXn1);
        k.rmsNormBackward(dXn1, a.input, w.inputNorm().value(), a.inputRstd, dInput, grad(w.inputNorm()));
        return dInput;
    }

    private static Tensor grad(Param p) {
        return p.grad();
    }
}
