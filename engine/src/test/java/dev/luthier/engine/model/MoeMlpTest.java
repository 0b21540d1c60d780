package dev.luthier.engine.model;

import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraConfig;
import dev.luthier.engine.lora.LoraModule;
import dev.luthier.engine.lora.LoraTarget;
import dev.luthier.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's mixture-of-experts MLP ({@link MoeMlp}) against a float64 reference written here as a direct loop
 * over tokens and their chosen experts, with two adapters and the base model mixed in one batch; its backward (input
 * through the routing weights, expert LoRA, the router in full fine-tuning) against central finite differences of
 * that reference; and routing edge cases (ties, idle experts, every token on one expert).
 */
class MoeMlpTest {
    private static final int H = 12, I = 6, E = 5;
    private static final LoraTarget[] MLP = {LoraTarget.GATE_PROJ, LoraTarget.UP_PROJ, LoraTarget.DOWN_PROJ};

    private final Kernels k = new CpuKernels(1);

    private static ModelConfig config(int topK, boolean norm) {
        return new ModelConfig(ModelFamily.QWEN3_MOE, 17, H, 20, 1, 2, 1, 4, 1e-6, 1e6, null, 64, false, false, false,
                true, null, List.of(), "float32", E, topK, I, norm, 1, List.of());
    }

    /** The MoE part of one layer: host values (float, exactly what the engine holds) and engine tensors. */
    private final class Fixture {
        final ModelConfig c;
        final float[] router;
        final float[][][] experts = new float[E][3][];   // gate [I,H], up [I,H], down [H,I]
        final LayerWeights weights;
        final List<LoraAdapter> adapters = new ArrayList<>();

        Fixture(ModelConfig c, SplittableRandom r, float[] router, boolean trainRouter) {
            this.c = c;
            this.router = router != null ? router : random(r, E * H, 1.0);
            List<ExpertWeights> ew = new ArrayList<>();
            for (int e = 0; e < E; e++) {
                experts[e][0] = random(r, I * H, 0.4);
                experts[e][1] = random(r, I * H, 0.4);
                experts[e][2] = random(r, H * I, 0.4);
                ew.add(new ExpertWeights(Param.frozen(k.fromHost(experts[e][0], I, H)),
                        Param.frozen(k.fromHost(experts[e][1], I, H)), Param.frozen(k.fromHost(experts[e][2], H, I))));
            }
            Tensor rw = k.fromHost(this.router, E, H);
            Param routerParam = trainRouter ? new Param(rw, k.allocate(E, H)) : Param.frozen(rw);
            weights = new LayerWeights(null, null, null, null, null, null, null, null, null, null, null, null,
                    null, null, null, routerParam, ew);
            for (int a = 0; a < 2; a++) {
                LoraAdapter adapter = LoraAdapter.create("a" + a, new LoraConfig(2 + a, 4 + 8 * a, 31 + a, false, true, false), c, k);
                for (int e = 0; e < E; e++) {
                    for (LoraTarget t : MLP) {
                        LoraModule m = adapter.expertModule(0, e, t);
                        k.copy(k.fromHost(random(r, (int) m.b().size(), 0.3), m.b().rows(), m.b().cols()), m.b());
                    }
                }
                adapters.add(adapter);
            }
        }

        /** Per-token adapter index (-1: base) of the segments used below: [0,3) a0, [3,5) base, [5,T) a1. */
        int[] tokenAdapters(int t) {
            int[] out = new int[t];
            for (int i = 0; i < t; i++) {
                out[i] = i < 3 ? 0 : i < 5 ? -1 : 1;
            }
            return out;
        }

        List<AdapterSegment> segments(int t) {
            return List.of(new AdapterSegment(0, 3, adapters.get(0)), new AdapterSegment(3, 5, null),
                    new AdapterSegment(5, t, adapters.get(1)));
        }

        Reference reference(int t) {
            Reference ref = new Reference(c.numExpertsPerToken(), c.normTopkProb(), tokenAdapters(t));
            ref.router = toDouble(router);
            for (int e = 0; e < E; e++) {
                for (int p = 0; p < 3; p++) {
                    ref.w[e][p] = toDouble(experts[e][p]);
                }
            }
            ref.loraA = new double[2][E][3][];
            ref.loraB = new double[2][E][3][];
            ref.rank = new int[2];
            ref.scale = new double[2];
            for (int a = 0; a < 2; a++) {
                LoraAdapter adapter = adapters.get(a);
                ref.rank[a] = adapter.config().rank();
                ref.scale[a] = adapter.scale();
                for (int e = 0; e < E; e++) {
                    for (int p = 0; p < 3; p++) {
                        LoraModule m = adapter.expertModule(0, e, MLP[p]);
                        ref.loraA[a][e][p] = toDouble(k.toHost(m.a()));
                        ref.loraB[a][e][p] = toDouble(k.toHost(m.b()));
                    }
                }
            }
            return ref;
        }
    }

    /** A float64 MoE MLP, token by token. */
    private static final class Reference {
        final int topK;
        final boolean norm;
        final int[] tokenAdapter;
        double[] router;
        final double[][][] w = new double[E][3][];
        double[][][][] loraA, loraB;
        int[] rank;
        double[] scale;
        int[][] chosen;   // filled by forward

        Reference(int topK, boolean norm, int[] tokenAdapter) {
            this.topK = topK;
            this.norm = norm;
            this.tokenAdapter = tokenAdapter;
        }

        /** y = W x + s·B(A x) for expert e's projection p (in features n, out features m). */
        double[] project(double[] x, int e, int p, int a, int in, int out) {
            double[] y = new double[out];
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int i = 0; i < in; i++) {
                    s += w[e][p][o * in + i] * x[i];
                }
                y[o] = s;
            }
            if (a >= 0) {
                int r = rank[a];
                double[] u = new double[r];
                for (int j = 0; j < r; j++) {
                    for (int i = 0; i < in; i++) {
                        u[j] += loraA[a][e][p][j * in + i] * x[i];
                    }
                }
                for (int o = 0; o < out; o++) {
                    for (int j = 0; j < r; j++) {
                        y[o] += scale[a] * loraB[a][e][p][o * r + j] * u[j];
                    }
                }
            }
            return y;
        }

        double[] forward(double[] x, int t) {
            double[] out = new double[t * H];
            chosen = new int[t][];
            for (int row = 0; row < t; row++) {
                double[] xr = Arrays.copyOfRange(x, row * H, row * H + H);
                double[] p = new double[E];
                double max = Double.NEGATIVE_INFINITY;
                for (int e = 0; e < E; e++) {
                    for (int i = 0; i < H; i++) {
                        p[e] += router[e * H + i] * xr[i];
                    }
                    max = Math.max(max, p[e]);
                }
                double sum = 0;
                for (int e = 0; e < E; e++) {
                    p[e] = Math.exp(p[e] - max);
                    sum += p[e];
                }
                for (int e = 0; e < E; e++) {
                    p[e] /= sum;
                }
                // top-k by probability, ties to the lower index
                Integer[] order = new Integer[E];
                for (int e = 0; e < E; e++) {
                    order[e] = e;
                }
                Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
                chosen[row] = new int[topK];
                double chosenSum = 0;
                for (int j = 0; j < topK; j++) {
                    chosen[row][j] = order[j];
                    chosenSum += p[order[j]];
                }
                for (int j = 0; j < topK; j++) {
                    int e = order[j];
                    double weight = norm ? p[e] / chosenSum : p[e];
                    int a = tokenAdapter[row];
                    double[] g = project(xr, e, 0, a, H, I);
                    double[] u = project(xr, e, 1, a, H, I);
                    double[] h = new double[I];
                    for (int i = 0; i < I; i++) {
                        h[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
                    }
                    double[] y = project(h, e, 2, a, I, H);
                    for (int i = 0; i < H; i++) {
                        out[row * H + i] += weight * y[i];
                    }
                }
            }
            return out;
        }
    }

    private static float[] random(SplittableRandom r, int n, double scale) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) ((2 * r.nextDouble() - 1) * scale);
        }
        return out;
    }

    private static double[] toDouble(float[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    private static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private float[] engineForward(Fixture f, float[] x, int t, MoeMlp.Saved save) {
        Tensor out = MoeMlp.forward(k, f.c, 0, f.weights, k.fromHost(x, t, H), f.segments(t), save);
        return k.toHost(out);
    }

    private static void assertClose(float[] actual, double[] expected, double tol, String what) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("%s[%d]: %f vs %f", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(tol);
        }
    }

    @Test
    void forwardMatchesFloat64ReferenceWithMixedAdapters() {
        for (boolean norm : new boolean[]{true, false}) {
            for (int topK : new int[]{1, 2, 3}) {
                SplittableRandom r = new SplittableRandom(topK * 10 + (norm ? 1 : 0));
                Fixture f = new Fixture(config(topK, norm), r, null, false);
                int t = 9;
                float[] x = random(r, t * H, 1.5);
                double[] expected = f.reference(t).forward(toDouble(x), t);
                float[] actual = engineForward(f, x, t, null);
                assertThat(maxAbs(expected)).isGreaterThan(0.1);
                assertClose(actual, expected, 2e-5 * Math.max(1, maxAbs(expected)), "top-" + topK + " norm " + norm);
            }
        }
    }

    @Test
    void backwardMatchesFiniteDifferencesOfReference() {
        SplittableRandom r = new SplittableRandom(7);
        Fixture f = new Fixture(config(2, true), r, null, true);
        int t = 9;
        float[] x = random(r, t * H, 1.5);
        float[] dOut = random(r, t * H, 1.0);
        MoeMlp.Saved saved = new MoeMlp.Saved();
        engineForward(f, x, t, saved);
        Tensor dx = k.allocate(t, H);
        MoeMlp.backward(k, f.c, 0, f.weights, k.fromHost(dOut, t, H), saved, dx);
        Reference ref = f.reference(t);
        double[] xd = toDouble(x);
        double[] g = toDouble(dOut);
        double eps = 1e-5;

        // the input, through the experts and through the routing weights
        float[] dxEngine = k.toHost(dx);
        double[] dxFd = new double[xd.length];
        for (int i = 0; i < xd.length; i++) {
            dxFd[i] = fd(ref, xd, xd, i, g, t, eps);
        }
        assertClose(dxEngine, dxFd, 1e-4 * Math.max(1, maxAbs(dxFd)), "dx");

        // the router weight (full fine-tuning)
        float[] dRouter = k.toHost(f.weights.router().grad());
        double[] dRouterFd = new double[ref.router.length];
        for (int i = 0; i < ref.router.length; i++) {
            dRouterFd[i] = fd(ref, ref.router, xd, i, g, t, eps);
        }
        assertClose(dRouter, dRouterFd, 1e-4 * Math.max(1, maxAbs(dRouterFd)), "dRouter");

        // every expert LoRA A and B of both adapters
        int checked = 0;
        for (int a = 0; a < 2; a++) {
            for (int e = 0; e < E; e++) {
                for (int p = 0; p < 3; p++) {
                    LoraModule m = f.adapters.get(a).expertModule(0, e, MLP[p]);
                    for (boolean isA : new boolean[]{true, false}) {
                        double[] param = isA ? ref.loraA[a][e][p] : ref.loraB[a][e][p];
                        float[] grad = k.toHost(isA ? m.gradA() : m.gradB());
                        double[] gFd = new double[param.length];
                        for (int i = 0; i < param.length; i++) {
                            gFd[i] = fd(ref, param, xd, i, g, t, eps);
                        }
                        assertClose(grad, gFd, 1e-4 * Math.max(1, maxAbs(gFd)), "adapter " + a + " expert " + e + " " + MLP[p] + (isA ? " A" : " B"));
                        checked += maxAbs(gFd) > 0 ? 1 : 0;
                    }
                }
            }
        }
        assertThat(checked).as("LoRA tensors with a non-zero gradient").isGreaterThan(40);

        // the routing-weight path is not negligible (else the dx check could miss it); last: it runs another backward
        double[] dxNoRouting = withoutRoutingGradient(f, x, dOut, t);
        double diff = 0;
        for (int i = 0; i < dxNoRouting.length; i++) {
            diff = Math.max(diff, Math.abs(dxNoRouting[i] - dxFd[i]));
        }
        assertThat(diff).as("routing gradient contribution").isGreaterThan(1e-2 * maxAbs(dxFd));
    }

    /** d(Σ g·out)/d param[i], central differences of the float64 reference. */
    private static double fd(Reference ref, double[] param, double[] x, int i, double[] g, int t, double eps) {
        double orig = param[i];
        param[i] = orig + eps;
        double plus = dot(ref.forward(x, t), g);
        int[][] chosenPlus = ref.chosen;
        param[i] = orig - eps;
        double minus = dot(ref.forward(x, t), g);
        assertThat(ref.chosen).as("routing flipped under a finite difference").isDeepEqualTo(chosenPlus);
        param[i] = orig;
        return (plus - minus) / (2 * eps);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** The engine's dx with the routing weights treated as constants (router gradient dropped), for contrast. */
    private double[] withoutRoutingGradient(Fixture f, float[] x, float[] dOut, int t) {
        MoeMlp.Saved saved = new MoeMlp.Saved();
        engineForward(f, x, t, saved);
        // Zero router ⇒ the routing-logit gradient is multiplied by zero in dx += dLogits · Wr.
        LayerWeights w = f.weights;
        LayerWeights noRouter = new LayerWeights(null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, Param.frozen(k.allocate(E, H)), w.experts());
        Tensor dx = k.allocate(t, H);
        MoeMlp.backward(k, f.c, 0, noRouter, k.fromHost(dOut, t, H), saved, dx);
        return toDouble(k.toHost(dx));
    }

    @Test
    void tiedRouterScoresPickTheLowestExpertsAndIdleExpertsGetNoGradient() {
        for (boolean norm : new boolean[]{true, false}) {
            SplittableRandom r = new SplittableRandom(3);
            Fixture f = new Fixture(config(2, norm), r, new float[E * H], false);
            int t = 7;
            float[] x = random(r, t * H, 1.5);
            float[] logits = new float[t * E];
            int[] experts = new int[t * 2];
            float[] weights = new float[t * 2];
            k.routerTopK(k.fromHost(logits, t, E), 2, norm, experts, weights);
            for (int row = 0; row < t; row++) {
                assertThat(new int[]{experts[2 * row], experts[2 * row + 1]}).containsExactly(0, 1);
                assertThat(weights[2 * row]).isEqualTo(norm ? 0.5f : 1f / E);
            }
            double[] expected = f.reference(t).forward(toDouble(x), t);
            MoeMlp.Saved saved = new MoeMlp.Saved();
            assertClose(engineForward(f, x, t, saved), expected, 2e-5 * Math.max(1, maxAbs(expected)), "tied");
            assertThat(saved.passes[2]).isNull();
            Tensor dx = k.allocate(t, H);
            MoeMlp.backward(k, f.c, 0, f.weights, k.fromHost(random(r, t * H, 1), t, H), saved, dx);
            assertThat(k.allFinite(dx)).isTrue();
            for (LoraAdapter a : f.adapters) {
                for (int e = 0; e < E; e++) {
                    for (LoraTarget target : MLP) {
                        double sq = k.sumOfSquares(a.expertModule(0, e, target).gradB());
                        if (e < 2) {
                            assertThat(sq).as("expert %d %s", e, target).isGreaterThan(0);
                        } else {
                            assertThat(sq).as("idle expert %d %s", e, target).isZero();
                        }
                    }
                }
            }
        }
    }

    @Test
    void tiesAmongProbabilitiesFollowTorchTopk() {
        // probabilities 0.1, 0.3, 0.3, 0.3 (as logits) with top-2: experts 1 and 2
        float[] logits = {0f, (float) Math.log(3), (float) Math.log(3), (float) Math.log(3)};
        int[] experts = new int[2];
        float[] weights = new float[2];
        k.routerTopK(k.fromHost(logits, 1, 4), 2, true, experts, weights);
        assertThat(experts).containsExactly(1, 2);
        // a larger later expert comes first; among the rest ties go low
        k.routerTopK(k.fromHost(new float[]{1f, 1f, 2f, 1f}, 1, 4), 2, false, experts, weights);
        assertThat(experts).containsExactly(2, 0);
    }

    @Test
    void everyTokenOnOneExpertMatchesReferenceAndFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(11);
        float[] router = random(r, E * H, 0.05);
        router[3 * H] = 4f;                       // expert 3 reads feature 0, which every token has large
        Fixture f = new Fixture(config(1, false), r, router, false);
        int t = 8;
        float[] x = random(r, t * H, 0.5);
        for (int row = 0; row < t; row++) {
            x[row * H] = 2f + 0.1f * row;
        }
        MoeMlp.Saved saved = new MoeMlp.Saved();
        double[] expected = f.reference(t).forward(toDouble(x), t);
        assertClose(engineForward(f, x, t, saved), expected, 2e-5 * Math.max(1, maxAbs(expected)), "one expert");
        for (int e = 0; e < E; e++) {
            assertThat(saved.passes[e] == null).as("expert %d idle", e).isEqualTo(e != 3);
        }
        assertThat(saved.passes[3].rows).hasSize(t);
        float[] dOut = random(r, t * H, 1);
        Tensor dx = k.allocate(t, H);
        MoeMlp.backward(k, f.c, 0, f.weights, k.fromHost(dOut, t, H), saved, dx);
        Reference ref = f.reference(t);
        double[] xd = toDouble(x);
        double[] dxFd = new double[xd.length];
        for (int i = 0; i < xd.length; i++) {
            dxFd[i] = fd(ref, xd, xd, i, toDouble(dOut), t, 1e-5);
        }
        assertClose(k.toHost(dx), dxFd, 1e-4 * Math.max(1, maxAbs(dxFd)), "dx");
    }

    @Test
    void gatheredSegmentsKeepEachAdapterContiguous() {
        LoraAdapter a = null;
        List<AdapterSegment> segs = List.of(new AdapterSegment(0, 4, a), new AdapterSegment(4, 6, null),
                new AdapterSegment(6, 10, a));
        List<AdapterSegment> g = MoeMlp.gatheredSegments(segs, new int[]{1, 2, 7, 9});
        assertThat(g).containsExactly(new AdapterSegment(0, 2, a), new AdapterSegment(2, 4, a));
    }
}
