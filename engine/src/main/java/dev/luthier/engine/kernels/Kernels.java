package dev.luthier.engine.kernels;

import dev.luthier.engine.tensor.DType;
import dev.luthier.engine.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/**
 * Every computation the engine performs, behind one interface, so that a GPU backend can replace the CPU one.
 *
 * <p>Conventions:
 * <ul>
 *   <li>All tensors are row-major {@code [rows, cols]}; shapes are checked and a mismatch throws
 *       {@link IllegalArgumentException} naming the shapes.</li>
 *   <li>Only weight operands may be {@link DType#BF16} or {@link DType#F16} (the {@code w} of the matmuls, the
 *       embedding table); everything else is {@link DType#F32}. Low-precision values are widened in the kernel.</li>
 *   <li><b>Backward kernels accumulate</b> ({@code +=}) into their gradient outputs; the caller zeroes them.</li>
 *   <li>Small per-token host arrays ({@code int[] ids}, {@code int[] positions}, {@code float[]} per-token
 *       coefficients) cross the interface; large data stays in tensors.</li>
 * </ul>
 */
public interface Kernels extends AutoCloseable {

    String name();

    // ---------------------------------------------------------------- memory

    /** A zero-filled F32 tensor. */
    Tensor allocate(int rows, int cols);

    /** An F32 tensor holding a copy of {@code data} ({@code rows*cols} values). */
    Tensor fromHost(float[] data, int rows, int cols);

    /** A copy of an F32 tensor's values. */
    float[] toHost(Tensor t);

    /**
     * A weight tensor over raw little-endian bytes of the given dtype (for example a memory-mapped safetensors
     * region). The CPU backend reads large weights in place and may copy small ones (vectors) into F32; a GPU
     * backend uploads. The segment must stay valid as long as the tensor is used.
     */
    Tensor weight(MemorySegment bytes, DType dtype, int rows, int cols);

    /** {@code dst = src} (same shape; src may be any dtype, dst is F32). */
    void copy(Tensor src, Tensor dst);

    void fill(Tensor t, float value);

    // ---------------------------------------------------------------- matrix products (the three products of training)

    /** {@code y = alpha * x * wᵀ (+ y if accumulate)}; x {@code [M,K]}, w {@code [N,K]} (any dtype), y {@code [M,N]}. */
    void matmulNT(Tensor x, Tensor w, Tensor y, float alpha, boolean accumulate);

    /** {@code y = alpha * a * w (+ y if accumulate)}; a {@code [M,N]}, w {@code [N,K]} (any dtype), y {@code [M,K]}. */
    void matmulNN(Tensor a, Tensor w, Tensor y, float alpha, boolean accumulate);

    /** {@code y = alpha * aᵀ * b (+ y if accumulate)}; a {@code [M,N]}, b {@code [M,K]}, y {@code [N,K]}. All F32. */
    void matmulTN(Tensor a, Tensor b, Tensor y, float alpha, boolean accumulate);

    // ---------------------------------------------------------------- elementwise and reductions

    /** {@code y += alpha * x} (same shape). */
    void addScaled(Tensor x, float alpha, Tensor y);

    /** {@code t *= alpha}. */
    void scale(Tensor t, float alpha);

    /** {@code y[i,:] += bias[0,:]}; bias {@code [1,N]}. */
    void addRowVector(Tensor bias, Tensor y);

    /** {@code dBias[0,:] += sum_i dy[i,:]}. */
    void sumRows(Tensor dy, Tensor dBias);

    /** Sum of squares of all elements, accumulated in double. */
    double sumOfSquares(Tensor t);

    /** True when every element is finite. */
    boolean allFinite(Tensor t);

    // ---------------------------------------------------------------- embedding

    /** {@code out[i,:] = table[ids[i],:]}; table {@code [V,D]} of any dtype, out {@code [ids.length, D]}. */
    void embeddingLookup(Tensor table, int[] ids, Tensor out);

    /** {@code dTable[ids[i],:] += dOut[i,:]}. */
    void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable);

    // ---------------------------------------------------------------- RMSNorm (over each row)

    /**
     * {@code out[i,:] = x[i,:] * rstd[i] * weight[0,:]} with {@code rstd[i] = 1/sqrt(mean(x[i,:]²) + eps)};
     * writes {@code rstd} ({@code [rows,1]}) when it is not null. {@code out} may be {@code x} (in place).
     */
    void rmsNorm(Tensor x, Tensor weight, float eps, Tensor out, Tensor rstd);

    /** Accumulates {@code dx} and, when not null, {@code dWeight} from {@code dOut}, given the forward's x and rstd. */
    void rmsNormBackward(Tensor dOut, Tensor x, Tensor weight, Tensor rstd, Tensor dx, Tensor dWeight);

    // ---------------------------------------------------------------- rotary position embedding

    /**
     * Rotates, in place, every head of {@code x} ({@code [T, heads*headDim]}) by the angles of
     * {@code positions[t]}, in the rotate-half layout: with {@code h = headDim/2},
     * {@code x'[j] = x[j]cos - x[j+h]sin} and {@code x'[j+h] = x[j+h]cos + x[j]sin} for {@code j < h}.
     * {@code cos} and {@code sin} are tables {@code [maxPositions, h]}. With {@code inverse} the rotation is
     * transposed (angle negated), which is the backward of the forward rotation.
     */
    void rope(Tensor x, int heads, int headDim, int[] positions, Tensor cos, Tensor sin, boolean inverse);

    // ---------------------------------------------------------------- attention

    /**
     * Causal grouped-query attention. q {@code [Tq, qHeads*headDim]}, k and v {@code [Tk, kvHeads*headDim]},
     * out {@code [Tq, qHeads*headDim]}; query head {@code h} uses kv head {@code h / (qHeads/kvHeads)}.
     * {@code scores = scale * q·kᵀ}, softmax over the allowed keys (see {@link AttentionSpans}).
     * When {@code lse} ({@code [Tq, qHeads]}) is not null it receives each row's log-sum-exp of the scaled
     * scores, which the backward uses to recompute probabilities.
     */
    void attention(Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, AttentionSpans spans,
                   int qHeads, int kvHeads, int headDim, float scale);

    /** Accumulates dq, dk and dv given the forward's inputs, output and lse. */
    void attentionBackward(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, AttentionSpans spans,
                           int qHeads, int kvHeads, int headDim, float scale, Tensor dq, Tensor dk, Tensor dv);

    // ---------------------------------------------------------------- activations

    /** {@code out = silu(gate) * up}, silu(x) = x·sigmoid(x). */
    void swiglu(Tensor gate, Tensor up, Tensor out);

    /** Accumulates dGate and dUp. */
    void swigluBackward(Tensor dOut, Tensor gate, Tensor up, Tensor dGate, Tensor dUp);

    // ---------------------------------------------------------------- mixture of experts

    /**
     * {@code dst[i,:] = scale[i] · src[rows[i],:]} ({@code scale} null: 1); dst {@code [rows.length, src.cols]}.
     * Gathers the tokens routed to one expert.
     */
    void gatherRows(Tensor src, int[] rows, float[] scale, Tensor dst);

    /**
     * {@code dst[rows[i],:] += scale[i] · src[i,:]} ({@code scale} null: 1), in order of {@code i}; src
     * {@code [rows.length, dst.cols]}. Adds one expert's (weighted) output back to its tokens.
     */
    void scatterAddRows(Tensor src, int[] rows, float[] scale, Tensor dst);

    /**
     * The experts' products of a mixture-of-experts layer in one call (a grouped GEMM): for each group {@code g},
     * rows {@code [offsets[g], offsets[g+1])} of {@code x} times {@code weights[g]ᵀ} into the same rows of {@code y}
     * ({@code y} is overwritten). x {@code [M,K]}, each weight {@code [N,K]} (any dtype; null for an empty group),
     * y {@code [M,N]}, {@code offsets} ascending from 0 to M. One call lets a backend schedule all experts together,
     * which matters when each expert has only a few rows (decoding).
     */
    void groupedMatmulNT(Tensor x, int[] offsets, Tensor[] weights, Tensor y);

    /** {@code out[i] = Σ_j a[i,j]·b[i,j]} (same shape; host output of {@code a.rows} values). */
    void rowDots(Tensor a, Tensor b, float[] out);

    /**
     * The router of a mixture-of-experts layer: for each row of {@code logits} ({@code [T, E]}), {@code p =
     * softmax(row)} in F32, the {@code k} largest probabilities in descending order (ties: the lowest expert index
     * first, as {@code torch.topk}) into {@code experts[t*k+j]} and their probabilities into {@code weights[t*k+j]},
     * divided by their sum when {@code normalize}.
     */
    void routerTopK(Tensor logits, int k, boolean normalize, int[] experts, float[] weights);

    /**
     * Backward of {@link #routerTopK} with the choice held fixed: given {@code dWeights[t*k+j]}, the gradient with
     * respect to each chosen routing weight, accumulates the gradient with respect to the logits into
     * {@code dLogits} ({@code [T, E]}).
     */
    void routerBackward(Tensor logits, int k, boolean normalize, int[] experts, float[] dWeights, Tensor dLogits);

    // ---------------------------------------------------------------- log-softmax and token log-probabilities

    /** {@code lse[i] = log(sum_v exp(logits[i,v]))}; lse {@code [rows,1]}. */
    void logSumExpRows(Tensor logits, Tensor lse);

    /** {@code out[i*perRow+j] = logits[i, cols[i*perRow+j]]} (host output, rows*perRow values). */
    void gatherColumns(Tensor logits, int[] cols, int perRow, float[] out);

    /**
     * Replaces logits by the gradient of a loss with respect to them, given the gradient {@code dLogprob} of the
     * loss with respect to the log-probabilities {@code logprob[i,j] = logits[i, cols[i*perRow+j]] - lse[i]}:
     * {@code d[i,v] = sum_j dLogprob[i,j]·[v == cols[i,j]] - (sum_j dLogprob[i,j])·softmax(logits[i])[v]}.
     */
    void logprobBackward(Tensor logits, Tensor lse, int[] cols, float[] dLogprob, int perRow);

    // ---------------------------------------------------------------- optimizer

    /**
     * One {@code torch.optim.AdamW} step on a parameter, in place, with step number {@code step} (1-based):
     * {@code p *= 1 - lr·wd; m = b1·m + (1-b1)·g; v = b2·v + (1-b2)·g²;
     * p -= (lr/(1-b1^step)) · m / (sqrt(v)/sqrt(1-b2^step) + eps)}.
     */
    void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
               float weightDecay, int step);

    @Override
    default void close() {
    }
}
