package dev.luthier.engine.kernels.cpu;

import dev.luthier.engine.tensor.DType;
import dev.luthier.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.luthier.engine.kernels.cpu.KernelTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpuElementwiseTest {
    private static final CpuKernels SINGLE = new CpuKernels(1);
    private static final CpuKernels THREADED = new CpuKernels(2);
    private static final int[][] SHAPES = {{1, 1}, {3, 7}, {17, 33}, {130, 257}};

    @AfterAll
    static void close() {
        SINGLE.close();
        THREADED.close();
    }

    private static CpuKernels[] both() {
        return new CpuKernels[]{SINGLE, THREADED};
    }

    @Test
    void swigluMatchesReference() {
        Random rnd = new Random(31);
        for (int[] s : SHAPES) {
            for (CpuKernels kernels : both()) {
                CpuTensor g = slicedTensor(rnd, s[0], s[1]), u = slicedTensor(rnd, s[0], s[1]), out = slicedTensor(rnd, s[0], s[1]);
                kernels.scale(g, 8f);
                float[] gv = host(g), uv = host(u);
                double[] want = new double[gv.length];
                for (int i = 0; i < gv.length; i++) {
                    want[i] = gv[i] / (1 + Math.exp(-gv[i])) * uv[i];
                }
                kernels.swiglu(g, u, out);
                assertClose("swiglu", host(out), want, null, 2e-6, 1e-7);
            }
        }
    }

    @Test
    void swigluBackwardMatchesReferenceAndFiniteDifferences() {
        Random rnd = new Random(32);
        for (int[] s : SHAPES) {
            int n = s[0] * s[1];
            float[] g = random(rnd, n), u = random(rnd, n), dy = random(rnd, n);
            for (int i = 0; i < n; i++) {
                g[i] *= 5;
            }
            for (CpuKernels kernels : both()) {
                float[] dg0 = random(rnd, n), du0 = random(rnd, n);
                CpuTensor dg = tensor(dg0, s[0], s[1]), du = tensor(du0, s[0], s[1]);
                kernels.swigluBackward(tensor(dy, s[0], s[1]), tensor(g, s[0], s[1]), tensor(u, s[0], s[1]), dg, du);
                double[] wantDg = new double[n], wantDu = new double[n];
                for (int i = 0; i < n; i++) {
                    double sig = 1 / (1 + Math.exp(-g[i]));
                    wantDg[i] = dg0[i] + dy[i] * u[i] * sig * (1 + g[i] * (1 - sig));
                    wantDu[i] = du0[i] + dy[i] * g[i] * sig;
                }
                assertClose("dGate", host(dg), wantDg, null, 1e-5, 1e-6);
                assertClose("dUp", host(du), wantDu, null, 1e-5, 1e-6);
            }
            CpuTensor dg = new CpuTensor(s[0], s[1]), du = new CpuTensor(s[0], s[1]);
            SINGLE.swigluBackward(tensor(dy, s[0], s[1]), tensor(g, s[0], s[1]), tensor(u, s[0], s[1]), dg, du);
            Forward forward = () -> {
                CpuTensor out = new CpuTensor(s[0], s[1]);
                SINGLE.swiglu(tensor(g, s[0], s[1]), tensor(u, s[0], s[1]), out);
                return host(out);
            };
            assertGradientByFiniteDifferences("dGate", forward, dy, g, host(dg), 1e-2f, 30, rnd);
            assertGradientByFiniteDifferences("dUp", forward, dy, u, host(du), 1e-2f, 30, rnd);
        }
    }

    @Test
    void logSumExpAndGatherMatchReference() {
        Random rnd = new Random(33);
        for (int[] s : SHAPES) {
            for (CpuKernels kernels : both()) {
                CpuTensor logits = slicedTensor(rnd, s[0], s[1]);
                kernels.scale(logits, 20f);
                float[] x = host(logits);
                CpuTensor lse = new CpuTensor(s[0], 1);
                kernels.logSumExpRows(logits, lse);
                double[] want = new double[s[0]];
                for (int r = 0; r < s[0]; r++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int c = 0; c < s[1]; c++) {
                        max = Math.max(max, x[r * s[1] + c]);
                    }
                    for (int c = 0; c < s[1]; c++) {
                        sum += Math.exp(x[r * s[1] + c] - max);
                    }
                    want[r] = max + Math.log(sum);
                }
                assertClose("lse", host(lse), want, null, 1e-6, 1e-6);
                int perRow = 2;
                int[] cols = new int[s[0] * perRow];
                for (int i = 0; i < cols.length; i++) {
                    cols[i] = rnd.nextInt(s[1]);
                }
                float[] out = new float[cols.length];
                kernels.gatherColumns(logits, cols, perRow, out);
                for (int i = 0; i < cols.length; i++) {
                    assertThat(out[i]).isEqualTo(x[(i / perRow) * s[1] + cols[i]]);
                }
            }
        }
        assertThatThrownBy(() -> SINGLE.logSumExpRows(new CpuTensor(3, 5), new CpuTensor(3, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[3, 2]");
        assertThatThrownBy(() -> SINGLE.gatherColumns(new CpuTensor(3, 5), new int[]{0, 1, 5}, 1, new float[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[3, 5]");
    }

    @Test
    void logprobBackwardMatchesReferenceAndFiniteDifferencesWithSoftTargets() {
        Random rnd = new Random(34);
        for (int[] s : SHAPES) {
            int rows = s[0], v = s[1];
            for (int perRow : new int[]{1, 3}) {
                float[] x = random(rnd, rows * v);
                for (int i = 0; i < x.length; i++) {
                    x[i] *= 4;
                }
                int[] cols = new int[rows * perRow];
                float[] dLp = random(rnd, cols.length);
                for (int i = 0; i < cols.length; i++) {
                    cols[i] = i % perRow == 2 ? cols[i - 1] : rnd.nextInt(v); // a repeated column too
                }
                for (CpuKernels kernels : both()) {
                    CpuTensor logits = tensor(x, rows, v), lse = new CpuTensor(rows, 1);
                    kernels.logSumExpRows(logits, lse);
                    kernels.logprobBackward(logits, lse, cols, dLp, perRow);
                    double[] want = new double[rows * v];
                    for (int r = 0; r < rows; r++) {
                        double max = Double.NEGATIVE_INFINITY, sum = 0, total = 0;
                        for (int c = 0; c < v; c++) {
                            max = Math.max(max, x[r * v + c]);
                        }
                        for (int c = 0; c < v; c++) {
                            sum += Math.exp(x[r * v + c] - max);
                        }
                        for (int j = 0; j < perRow; j++) {
                            total += dLp[r * perRow + j];
                        }
                        for (int c = 0; c < v; c++) {
                            want[r * v + c] = -total * Math.exp(x[r * v + c] - max) / sum;
                        }
                        for (int j = 0; j < perRow; j++) {
                            want[r * v + cols[r * perRow + j]] += dLp[r * perRow + j];
                        }
                    }
                    assertClose("dLogits perRow=" + perRow, host(logits), want, null, 1e-5, 1e-6);
                }
                // finite differences of the log-probabilities computed by the forward kernels
                CpuTensor logits = tensor(x, rows, v), lse = new CpuTensor(rows, 1);
                SINGLE.logSumExpRows(logits, lse);
                SINGLE.logprobBackward(logits, lse, cols, dLp, perRow);
                float[] grad = host(logits);
                Forward forward = () -> {
                    CpuTensor l = tensor(x, rows, v), e = new CpuTensor(rows, 1);
                    SINGLE.logSumExpRows(l, e);
                    float[] picked = new float[cols.length];
                    SINGLE.gatherColumns(l, cols, perRow, picked);
                    float[] le = host(e);
                    for (int i = 0; i < picked.length; i++) {
                        picked[i] -= le[i / perRow];
                    }
                    return picked;
                };
                assertGradientByFiniteDifferences("dLogits", forward, dLp, x, grad, 1e-2f, 30, rnd);
            }
        }
    }

    @Test
    void adamwMatchesTorchFormula() {
        Random rnd = new Random(35);
        for (int[] s : SHAPES) {
            int n = s[0] * s[1];
            float lr = 1e-2f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 0.1f;
            for (CpuKernels kernels : both()) {
                CpuTensor p = slicedTensor(rnd, s[0], s[1]), m = new CpuTensor(s[0], s[1]), v = new CpuTensor(s[0], s[1]);
                double[] pr = new double[n], mr = new double[n], vr = new double[n];
                float[] p0 = host(p);
                for (int i = 0; i < n; i++) {
                    pr[i] = p0[i];
                }
                for (int step = 1; step <= 3; step++) {
                    float[] g = random(rnd, n);
                    kernels.adamw(p, tensor(g, s[0], s[1]), m, v, lr, b1, b2, eps, wd, step);
                    double bc1 = 1 - Math.pow(b1, step), bc2 = 1 - Math.pow(b2, step);
                    for (int i = 0; i < n; i++) {
                        pr[i] *= 1 - (double) lr * wd;
                        mr[i] = b1 * mr[i] + (1 - (double) b1) * g[i];
                        vr[i] = b2 * vr[i] + (1 - (double) b2) * g[i] * g[i];
                        pr[i] -= lr / bc1 * mr[i] / (Math.sqrt(vr[i]) / Math.sqrt(bc2) + eps);
                    }
                    assertClose("p step " + step, host(p), pr, null, 1e-5, 1e-6);
                    assertClose("m step " + step, host(m), mr, null, 1e-5, 1e-7);
                    assertClose("v step " + step, host(v), vr, null, 1e-5, 1e-9);
                }
            }
        }
        assertThatThrownBy(() -> SINGLE.adamw(new CpuTensor(2, 3), new CpuTensor(3, 2), new CpuTensor(2, 3),
                new CpuTensor(2, 3), 1f, 0.9f, 0.99f, 1e-8f, 0f, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[3, 2]");
    }

    @Test
    void embeddingLookupAndBackward() {
        Random rnd = new Random(36);
        int vocab = 400, d = 200;
        float[] table = random(rnd, vocab * d);
        for (DType dtype : DType.values()) {
            float[] rounded = table.clone();
            Tensor t = SINGLE.weight(encode(rounded, dtype), dtype, vocab, d);
            int[] ids = {5, 399, 0, 5, 17};
            CpuTensor out = slicedTensor(rnd, ids.length, d);
            SINGLE.embeddingLookup(t, ids, out);
            float[] o = host(out);
            for (int i = 0; i < ids.length; i++) {
                for (int c = 0; c < d; c++) {
                    assertThat(o[i * d + c]).isEqualTo(rounded[ids[i] * d + c]);
                }
            }
            float[] g = random(rnd, ids.length * d);
            CpuTensor dTable = new CpuTensor(vocab, d);
            SINGLE.fill(dTable, 1f);
            SINGLE.embeddingBackward(tensor(g, ids.length, d), ids, dTable);
            float[] dt = host(dTable);
            assertThat(dt[5 * d + 3]).isEqualTo(1f + g[3] + g[3 * d + 3]);
            assertThat(dt[399 * d]).isEqualTo(1f + g[d]);
            assertThat(dt[6 * d]).isEqualTo(1f);
        }
        assertThatThrownBy(() -> SINGLE.embeddingLookup(new CpuTensor(4, 3), new int[]{4}, new CpuTensor(1, 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[4, 3]");
    }

    @Test
    void tensorBasicsAndSmallOps() {
        Random rnd = new Random(37);
        for (CpuKernels kernels : both()) {
            float[] data = random(rnd, 12);
            Tensor t = kernels.fromHost(data, 3, 4);
            data[0] = 99;
            assertThat(kernels.toHost(t)[0]).isNotEqualTo(99);
            Tensor slice = t.rowSlice(1, 3);
            kernels.fill(slice.view(4, 2), 2f);
            assertThat(kernels.toHost(t)).containsSequence(2f, 2f, 2f, 2f, 2f, 2f, 2f, 2f);
            assertThat(kernels.allocate(2, 3).shapeString()).isEqualTo("[2, 3]");
            assertThat(kernels.toHost(kernels.allocate(2, 3))).containsOnly(0f);

            int rows = 300, cols = 129;
            CpuTensor x = slicedTensor(rnd, rows, cols), y = slicedTensor(rnd, rows, cols);
            float[] xv = host(x), yv = host(y);
            kernels.addScaled(x, 0.5f, y);
            double[] want = new double[xv.length];
            for (int i = 0; i < xv.length; i++) {
                want[i] = yv[i] + 0.5 * xv[i];
            }
            assertClose("addScaled", host(y), want, null, 1e-6, 1e-7);
            kernels.scale(x, -3f);
            for (int i = 0; i < xv.length; i++) {
                want[i] = -3.0 * xv[i];
            }
            assertClose("scale", host(x), want, null, 1e-6, 0);

            float[] bias = random(rnd, cols);
            CpuTensor z = slicedTensor(rnd, rows, cols);
            float[] zv = host(z);
            kernels.addRowVector(tensor(bias, 1, cols), z);
            for (int i = 0; i < zv.length; i++) {
                want[i] = zv[i] + bias[i % cols];
            }
            assertClose("addRowVector", host(z), want, null, 1e-6, 1e-7);
            CpuTensor dBias = tensor(bias, 1, cols);
            kernels.sumRows(z, dBias);
            double[] sums = new double[cols];
            float[] z2 = host(z);
            double ss = 0;
            for (int i = 0; i < z2.length; i++) {
                sums[i % cols] += z2[i];
                ss += (double) z2[i] * z2[i];
            }
            for (int c = 0; c < cols; c++) {
                sums[c] += bias[c];
            }
            assertClose("sumRows", host(dBias), sums, null, 1e-5, 1e-5);
            assertThat(kernels.sumOfSquares(z)).isCloseTo(ss, org.assertj.core.data.Offset.offset(1e-6 * ss));
            assertThat(kernels.allFinite(z)).isTrue();
            z.data[z.at(rows - 1, cols - 1)] = Float.NaN;
            assertThat(kernels.allFinite(z)).isFalse();
            assertThat(kernels.allFinite(z.rowSlice(0, rows - 1))).isTrue();
        }
        assertThatThrownBy(() -> SINGLE.addScaled(new CpuTensor(2, 3), 1f, new CpuTensor(3, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 3]").hasMessageContaining("[3, 2]");
        assertThatThrownBy(() -> new CpuTensor(2, 3).view(4, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
