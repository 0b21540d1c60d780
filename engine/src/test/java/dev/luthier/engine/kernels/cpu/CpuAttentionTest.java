package dev.luthier.engine.kernels.cpu;

import dev.luthier.engine.kernels.AttentionSpans;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.luthier.engine.kernels.cpu.KernelTestSupport.*;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpuAttentionTest {
    private static final CpuKernels SINGLE = new CpuKernels(1);
    private static final CpuKernels THREADED = new CpuKernels(2);

    @AfterAll
    static void close() {
        SINGLE.close();
        THREADED.close();
    }

    /** Double-precision reference forward; returns out and fills lse. */
    private static double[] referenceForward(float[] q, float[] k, float[] v, AttentionSpans spans, int tq, int qHeads,
                                             int kvHeads, int hd, float scale, double[] lse) {
        double[] out = new double[tq * qHeads * hd];
        int group = qHeads / kvHeads;
        int qc = qHeads * hd, kc = kvHeads * hd;
        for (int s = 0; s < spans.sequences(); s++) {
            int qs = spans.queryStart()[s], ql = spans.queryLen()[s], ks = spans.keyStart()[s], kl = spans.keyLen()[s];
            for (int h = 0; h < qHeads; h++) {
                int g = h / group;
                for (int j = 0; j < ql; j++) {
                    int keys = kl - ql + j + 1;
                    double[] sc = new double[keys];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < keys; c++) {
                        double d = 0;
                        for (int e = 0; e < hd; e++) {
                            d += (double) q[(qs + j) * qc + h * hd + e] * k[(ks + c) * kc + g * hd + e];
                        }
                        sc[c] = scale * d;
                        max = Math.max(max, sc[c]);
                    }
                    double sum = 0;
                    for (int c = 0; c < keys; c++) {
                        sum += Math.exp(sc[c] - max);
                    }
                    for (int c = 0; c < keys; c++) {
                        double p = Math.exp(sc[c] - max) / sum;
                        for (int e = 0; e < hd; e++) {
                            out[(qs + j) * qc + h * hd + e] += p * v[(ks + c) * kc + g * hd + e];
                        }
                    }
                    lse[(qs + j) * qHeads + h] = max + Math.log(sum);
                }
            }
        }
        return out;
    }

    /** Double-precision reference backward from first principles (probabilities recomputed from scratch). */
    private static double[][] referenceBackward(float[] dOut, float[] q, float[] k, float[] v, AttentionSpans spans,
                                                int tq, int tk, int qHeads, int kvHeads, int hd, float scale) {
        double[] dq = new double[tq * qHeads * hd], dk = new double[tk * kvHeads * hd], dv = new double[tk * kvHeads * hd];
        int group = qHeads / kvHeads;
        int qc = qHeads * hd, kc = kvHeads * hd;
        for (int s = 0; s < spans.sequences(); s++) {
            int qs = spans.queryStart()[s], ql = spans.queryLen()[s], ks = spans.keyStart()[s], kl = spans.keyLen()[s];
            for (int h = 0; h < qHeads; h++) {
                int g = h / group;
                for (int j = 0; j < ql; j++) {
                    int keys = kl - ql + j + 1;
                    double[] p = new double[keys];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < keys; c++) {
                        double d = 0;
                        for (int e = 0; e < hd; e++) {
                            d += (double) q[(qs + j) * qc + h * hd + e] * k[(ks + c) * kc + g * hd + e];
                        }
                        p[c] = scale * d;
                        max = Math.max(max, p[c]);
                    }
                    double sum = 0;
                    for (int c = 0; c < keys; c++) {
                        p[c] = Math.exp(p[c] - max);
                        sum += p[c];
                    }
                    double[] dp = new double[keys];
                    double dsum = 0;
                    for (int c = 0; c < keys; c++) {
                        p[c] /= sum;
                        for (int e = 0; e < hd; e++) {
                            dp[c] += (double) dOut[(qs + j) * qc + h * hd + e] * v[(ks + c) * kc + g * hd + e];
                        }
                        dsum += p[c] * dp[c];
                    }
                    for (int c = 0; c < keys; c++) {
                        double ds = p[c] * (dp[c] - dsum) * scale;
                        for (int e = 0; e < hd; e++) {
                            dq[(qs + j) * qc + h * hd + e] += ds * k[(ks + c) * kc + g * hd + e];
                            dk[(ks + c) * kc + g * hd + e] += ds * q[(qs + j) * qc + h * hd + e];
                            dv[(ks + c) * kc + g * hd + e] += p[c] * dOut[(qs + j) * qc + h * hd + e];
                        }
                    }
                }
            }
        }
        return new double[][]{dq, dk, dv};
    }

    private static double[] abs(double[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = Math.abs(a[i]) + 1;
        }
        return r;
    }

    @Test
    void forwardMatchesReferenceForPackedGqaBatch() {
        Random rnd = new Random(11);
        int qHeads = 4, kvHeads = 2, hd = 20;
        // three sequences of different lengths packed back to back
        AttentionSpans spans = AttentionSpans.selfAttention(new int[]{0, 7, 8}, new int[]{7, 1, 45});
        int t = 53;
        float scale = (float) (1 / Math.sqrt(hd));
        for (CpuKernels kernels : new CpuKernels[]{SINGLE, THREADED}) {
            float[] q = random(rnd, t * qHeads * hd), k = random(rnd, t * kvHeads * hd), v = random(rnd, t * kvHeads * hd);
            for (int i = 0; i < q.length; i++) {
                q[i] *= 3; // sharper softmax
            }
            CpuTensor out = slicedTensor(rnd, t, qHeads * hd), lse = new CpuTensor(t, qHeads);
            kernels.attention(tensor(q, t, qHeads * hd), tensor(k, t, kvHeads * hd), tensor(v, t, kvHeads * hd), out, lse,
                    spans, qHeads, kvHeads, hd, scale);
            double[] wantLse = new double[t * qHeads];
            double[] want = referenceForward(q, k, v, spans, t, qHeads, kvHeads, hd, scale, wantLse);
            assertClose("out", host(out), want, null, 1e-5, 2e-6);
            assertClose("lse", host(lse), wantLse, null, 1e-5, 2e-6);
        }
    }

    @Test
    void forwardDecodesAgainstLongerKeys() {
        Random rnd = new Random(12);
        int qHeads = 6, kvHeads = 3, hd = 16;
        // queries are the newest tokens of each sequence; keys come from a cache laid out differently
        AttentionSpans spans = new AttentionSpans(new int[]{0, 1, 4}, new int[]{1, 3, 2}, new int[]{40, 0, 20},
                new int[]{9, 17, 2});
        int tq = 6, tk = 49;
        float scale = 0.3f;
        float[] q = random(rnd, tq * qHeads * hd), k = random(rnd, tk * kvHeads * hd), v = random(rnd, tk * kvHeads * hd);
        CpuTensor out = new CpuTensor(tq, qHeads * hd), lse = new CpuTensor(tq, qHeads);
        THREADED.attention(tensor(q, tq, qHeads * hd), tensor(k, tk, kvHeads * hd), tensor(v, tk, kvHeads * hd), out, lse,
                spans, qHeads, kvHeads, hd, scale);
        double[] wantLse = new double[tq * qHeads];
        double[] want = referenceForward(q, k, v, spans, tq, qHeads, kvHeads, hd, scale, wantLse);
        assertClose("out", host(out), want, null, 1e-5, 2e-6);
        assertClose("lse", host(lse), wantLse, null, 1e-5, 2e-6);
        CpuTensor noLse = new CpuTensor(tq, qHeads * hd);
        SINGLE.attention(tensor(q, tq, qHeads * hd), tensor(k, tk, kvHeads * hd), tensor(v, tk, kvHeads * hd), noLse, null,
                spans, qHeads, kvHeads, hd, scale);
        assertClose("out without lse", host(noLse), host(out), 0, 0);
        CpuTensor dq = new CpuTensor(tq, qHeads * hd), dk = new CpuTensor(tk, kvHeads * hd), dv = new CpuTensor(tk, kvHeads * hd);
        assertThatThrownBy(() -> SINGLE.attentionBackward(out, tensor(q, tq, qHeads * hd), tensor(k, tk, kvHeads * hd),
                tensor(v, tk, kvHeads * hd), out, lse, spans, qHeads, kvHeads, hd, scale, dq, dk, dv))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queryLen == keyLen");
    }

    @Test
    void backwardMatchesAnalyticReferenceAndAccumulates() {
        Random rnd = new Random(13);
        int qHeads = 4, kvHeads = 2, hd = 24;
        AttentionSpans spans = AttentionSpans.selfAttention(new int[]{0, 30, 31}, new int[]{30, 1, 40});
        int t = 71;
        float scale = (float) (1 / Math.sqrt(hd));
        for (CpuKernels kernels : new CpuKernels[]{SINGLE, THREADED}) {
            float[] q = random(rnd, t * qHeads * hd), k = random(rnd, t * kvHeads * hd), v = random(rnd, t * kvHeads * hd);
            float[] dOut = random(rnd, t * qHeads * hd);
            CpuTensor qt = tensor(q, t, qHeads * hd), kt = tensor(k, t, kvHeads * hd), vt = tensor(v, t, kvHeads * hd);
            CpuTensor out = new CpuTensor(t, qHeads * hd), lse = new CpuTensor(t, qHeads);
            kernels.attention(qt, kt, vt, out, lse, spans, qHeads, kvHeads, hd, scale);
            float[] dq0 = random(rnd, q.length), dk0 = random(rnd, k.length), dv0 = random(rnd, v.length);
            CpuTensor dq = tensor(dq0, t, qHeads * hd), dk = tensor(dk0, t, kvHeads * hd), dv = tensor(dv0, t, kvHeads * hd);
            kernels.attentionBackward(tensor(dOut, t, qHeads * hd), qt, kt, vt, out, lse, spans, qHeads, kvHeads, hd, scale,
                    dq, dk, dv);
            double[][] want = referenceBackward(dOut, q, k, v, spans, t, t, qHeads, kvHeads, hd, scale);
            float[][] before = {dq0, dk0, dv0};
            CpuTensor[] got = {dq, dk, dv};
            for (int i = 0; i < 3; i++) {
                for (int e = 0; e < want[i].length; e++) {
                    want[i][e] += before[i][e];
                }
                assertClose("grad " + i, host(got[i]), want[i], abs(want[i]), 2e-5, 0);
            }
        }
    }

    @Test
    void backwardMatchesFiniteDifferencesOfForward() {
        Random rnd = new Random(14);
        int qHeads = 2, kvHeads = 1, hd = 8;
        AttentionSpans spans = AttentionSpans.selfAttention(new int[]{0, 5}, new int[]{5, 6});
        int t = 11;
        float scale = 0.5f;
        float[] q = random(rnd, t * qHeads * hd), k = random(rnd, t * kvHeads * hd), v = random(rnd, t * kvHeads * hd);
        float[] r = random(rnd, t * qHeads * hd);
        CpuTensor out = new CpuTensor(t, qHeads * hd), lse = new CpuTensor(t, qHeads);
        SINGLE.attention(tensor(q, t, qHeads * hd), tensor(k, t, kvHeads * hd), tensor(v, t, kvHeads * hd), out, lse, spans,
                qHeads, kvHeads, hd, scale);
        CpuTensor dq = new CpuTensor(t, qHeads * hd), dk = new CpuTensor(t, kvHeads * hd), dv = new CpuTensor(t, kvHeads * hd);
        SINGLE.attentionBackward(tensor(r, t, qHeads * hd), tensor(q, t, qHeads * hd), tensor(k, t, kvHeads * hd),
                tensor(v, t, kvHeads * hd), out, lse, spans, qHeads, kvHeads, hd, scale, dq, dk, dv);
        float[][] inputs = {q, k, v};
        CpuTensor[] grads = {dq, dk, dv};
        float h = 1e-2f;
        for (int which = 0; which < 3; which++) {
            float[] x = inputs[which];
            float[] g = host(grads[which]);
            for (int i = 0; i < x.length; i++) {
                float saved = x[i];
                x[i] = saved + h;
                double plus = attentionLoss(q, k, v, r, spans, t, qHeads, kvHeads, hd, scale);
                x[i] = saved - h;
                double minus = attentionLoss(q, k, v, r, spans, t, qHeads, kvHeads, hd, scale);
                x[i] = saved;
                double fd = (plus - minus) / (2 * h);
                if (Math.abs(fd - g[i]) > 2e-3 + 2e-3 * Math.abs(fd)) {
                    throw new AssertionError("input " + which + " element " + i + ": backward " + g[i] + ", finite difference " + fd);
                }
            }
        }
    }

    private static double attentionLoss(float[] q, float[] k, float[] v, float[] r, AttentionSpans spans, int t,
                                        int qHeads, int kvHeads, int hd, float scale) {
        CpuTensor out = new CpuTensor(t, qHeads * hd);
        SINGLE.attention(tensor(q, t, qHeads * hd), tensor(k, t, kvHeads * hd), tensor(v, t, kvHeads * hd), out, null, spans,
                qHeads, kvHeads, hd, scale);
        double loss = 0;
        float[] o = host(out);
        for (int i = 0; i < o.length; i++) {
            loss += (double) o[i] * r[i];
        }
        return loss;
    }

    /** Forward and backward of one configuration against the float64 references, single-threaded and threaded. */
    private static void checkTiled(long seed, int qHeads, int kvHeads, int hd, int[] lengths, float sharpen) {
        Random rnd = new Random(seed);
        int n = lengths.length;
        int[] start = new int[n];
        int t = 0;
        for (int i = 0; i < n; i++) {
            start[i] = t;
            t += lengths[i];
        }
        AttentionSpans spans = AttentionSpans.selfAttention(start, lengths);
        float scale = (float) (1 / Math.sqrt(hd));
        float[] q = random(rnd, t * qHeads * hd), k = random(rnd, t * kvHeads * hd), v = random(rnd, t * kvHeads * hd);
        for (int i = 0; i < q.length; i++) {
            q[i] *= sharpen;
        }
        float[] dOut = random(rnd, t * qHeads * hd);
        double[] wantLse = new double[t * qHeads];
        double[] wantOut = referenceForward(q, k, v, spans, t, qHeads, kvHeads, hd, scale, wantLse);
        double[][] wantGrad = referenceBackward(dOut, q, k, v, spans, t, t, qHeads, kvHeads, hd, scale);
        String what = qHeads + "/" + kvHeads + " heads, hd " + hd + ", lengths " + java.util.Arrays.toString(lengths);
        for (CpuKernels kernels : new CpuKernels[]{SINGLE, THREADED}) {
            CpuTensor qt = tensor(q, t, qHeads * hd), kt = tensor(k, t, kvHeads * hd), vt = tensor(v, t, kvHeads * hd);
            CpuTensor out = slicedTensor(rnd, t, qHeads * hd), lse = new CpuTensor(t, qHeads);
            kernels.attention(qt, kt, vt, out, lse, spans, qHeads, kvHeads, hd, scale);
            assertClose("out " + what, host(out), wantOut, null, 1e-5, 2e-6);
            assertClose("lse " + what, host(lse), wantLse, null, 1e-5, 2e-6);
            CpuTensor dq = new CpuTensor(t, qHeads * hd), dk = new CpuTensor(t, kvHeads * hd), dv = new CpuTensor(t, kvHeads * hd);
            kernels.attentionBackward(tensor(dOut, t, qHeads * hd), qt, kt, vt, out, lse, spans, qHeads, kvHeads, hd, scale,
                    dq, dk, dv);
            CpuTensor[] got = {dq, dk, dv};
            for (int i = 0; i < 3; i++) {
                assertClose("grad " + i + " " + what, host(got[i]), wantGrad[i], abs(wantGrad[i]), 2e-5, 0);
            }
        }
    }

    @Test
    void tiledForwardAndBackwardWithoutGrouping() {
        // lengths that are not multiples of any tile size, headDim a whole number of vectors
        checkTiled(21, 4, 4, 64, new int[]{300, 517}, 2);
    }

    @Test
    void tiledForwardAndBackwardWithWideHeadsAndGroupOfEight() {
        checkTiled(22, 8, 1, 128, new int[]{517}, 2);
    }

    @Test
    void tiledForwardAndBackwardWithOddHeadDimAndGroupOfTwo() {
        // headDim 36 is not a whole number of vectors; tiny sequences sit next to long ones
        checkTiled(23, 4, 2, 36, new int[]{5, 300, 1, 64}, 3);
    }

    @Test
    void tiledForwardAndBackwardWithTinyHeadDimAndGroupOfFour() {
        checkTiled(24, 8, 2, 6, new int[]{517, 33}, 4);
    }

    @Test
    void decodeAgainstLongCachesMatchesReference() {
        Random rnd = new Random(25);
        float scale = 0.125f;
        // {qHeads, kvHeads, hd}: few tile rows (dot-product scores), many rows (packed scores), ragged headDim
        int[][] configs = {{2, 1, 64}, {16, 2, 128}, {4, 1, 36}, {8, 8, 64}};
        // one sequence (its keys are split into chunks over the threads) and several of different lengths
        AttentionSpans[] layouts = {
                new AttentionSpans(new int[]{0}, new int[]{1}, new int[]{0}, new int[]{1100}),
                new AttentionSpans(new int[]{0, 1, 4}, new int[]{1, 3, 8}, new int[]{700, 0, 1300}, new int[]{600, 700, 517})};
        int[] tqs = {1, 12}, tks = {1100, 1817};
        for (int[] c : configs) {
            int qHeads = c[0], kvHeads = c[1], hd = c[2];
            for (int i = 0; i < layouts.length; i++) {
                AttentionSpans spans = layouts[i];
                int tq = tqs[i], tk = tks[i];
                float[] q = random(rnd, tq * qHeads * hd), k = random(rnd, tk * kvHeads * hd), v = random(rnd, tk * kvHeads * hd);
                for (int e = 0; e < q.length; e++) {
                    q[e] *= 4;
                }
                double[] wantLse = new double[tq * qHeads];
                double[] want = referenceForward(q, k, v, spans, tq, qHeads, kvHeads, hd, scale, wantLse);
                for (CpuKernels kernels : new CpuKernels[]{SINGLE, THREADED}) {
                    CpuTensor out = new CpuTensor(tq, qHeads * hd), lse = new CpuTensor(tq, qHeads);
                    kernels.attention(tensor(q, tq, qHeads * hd), tensor(k, tk, kvHeads * hd), tensor(v, tk, kvHeads * hd),
                            out, lse, spans, qHeads, kvHeads, hd, scale);
                    String what = java.util.Arrays.toString(c) + " layout " + i;
                    assertClose("out " + what, host(out), want, null, 1e-5, 2e-6);
                    assertClose("lse " + what, host(lse), wantLse, null, 1e-5, 2e-6);
                }
            }
        }
    }

    @Test
    void longSequencesSpanSeveralQueryBlocks() {
        Random rnd = new Random(15);
        int qHeads = 4, kvHeads = 2, hd = 16;
        float scale = 0.25f;
        // training: sequences longer than a query block (64), forward and backward
        AttentionSpans train = AttentionSpans.selfAttention(new int[]{0, 100}, new int[]{100, 70});
        int t = 170;
        float[] q = random(rnd, t * qHeads * hd), k = random(rnd, t * kvHeads * hd), v = random(rnd, t * kvHeads * hd);
        float[] dOut = random(rnd, t * qHeads * hd);
        CpuTensor qt = tensor(q, t, qHeads * hd), kt = tensor(k, t, kvHeads * hd), vt = tensor(v, t, kvHeads * hd);
        CpuTensor out = new CpuTensor(t, qHeads * hd), lse = new CpuTensor(t, qHeads);
        THREADED.attention(qt, kt, vt, out, lse, train, qHeads, kvHeads, hd, scale);
        double[] wantLse = new double[t * qHeads];
        double[] want = referenceForward(q, k, v, train, t, qHeads, kvHeads, hd, scale, wantLse);
        assertClose("out", host(out), want, null, 1e-5, 2e-6);
        assertClose("lse", host(lse), wantLse, null, 1e-5, 2e-6);
        CpuTensor dq = new CpuTensor(t, qHeads * hd), dk = new CpuTensor(t, kvHeads * hd), dv = new CpuTensor(t, kvHeads * hd);
        THREADED.attentionBackward(tensor(dOut, t, qHeads * hd), qt, kt, vt, out, lse, train, qHeads, kvHeads, hd, scale,
                dq, dk, dv);
        double[][] wantGrad = referenceBackward(dOut, q, k, v, train, t, t, qHeads, kvHeads, hd, scale);
        CpuTensor[] got = {dq, dk, dv};
        for (int i = 0; i < 3; i++) {
            assertClose("grad " + i, host(got[i]), wantGrad[i], abs(wantGrad[i]), 2e-5, 0);
        }
        // decode-style: 70 new queries against 200 cached keys
        AttentionSpans decode = new AttentionSpans(new int[]{0}, new int[]{70}, new int[]{10}, new int[]{200});
        int tq = 70, tk = 210;
        float[] q2 = random(rnd, tq * qHeads * hd), k2 = random(rnd, tk * kvHeads * hd), v2 = random(rnd, tk * kvHeads * hd);
        CpuTensor out2 = new CpuTensor(tq, qHeads * hd), lse2 = new CpuTensor(tq, qHeads);
        SINGLE.attention(tensor(q2, tq, qHeads * hd), tensor(k2, tk, kvHeads * hd), tensor(v2, tk, kvHeads * hd), out2, lse2,
                decode, qHeads, kvHeads, hd, scale);
        double[] wantLse2 = new double[tq * qHeads];
        double[] want2 = referenceForward(q2, k2, v2, decode, tq, qHeads, kvHeads, hd, scale, wantLse2);
        assertClose("decode out", host(out2), want2, null, 1e-5, 2e-6);
        assertClose("decode lse", host(lse2), wantLse2, null, 1e-5, 2e-6);
    }

    @Test
    void badShapesThrow() {
        CpuTensor q = new CpuTensor(4, 32), k = new CpuTensor(4, 16), v = new CpuTensor(4, 16), out = new CpuTensor(4, 32);
        AttentionSpans spans = AttentionSpans.selfAttention(new int[]{0}, new int[]{4});
        assertThatThrownBy(() -> SINGLE.attention(q, k, v, out, null, spans, 3, 1, 8, 1f))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SINGLE.attention(q, k, v, new CpuTensor(4, 16), null, spans, 4, 2, 8, 1f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[4, 16]");
        AttentionSpans outside = AttentionSpans.selfAttention(new int[]{2}, new int[]{4});
        assertThatThrownBy(() -> SINGLE.attention(q, k, v, out, null, outside, 4, 2, 8, 1f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[4, 32]");
    }
}
