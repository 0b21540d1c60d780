package dev.luthier.engine.kernels.cpu;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.luthier.engine.kernels.cpu.KernelTestSupport.*;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpuNormRopeTest {
    private static final CpuKernels SINGLE = new CpuKernels(1);
    private static final CpuKernels THREADED = new CpuKernels(2);

    @AfterAll
    static void close() {
        SINGLE.close();
        THREADED.close();
    }

    @Test
    void rmsNormMatchesReferenceAndWorksInPlace() {
        Random rnd = new Random(21);
        for (int[] shape : new int[][]{{1, 1}, {3, 7}, {17, 64}, {130, 300}}) {
            int rows = shape[0], d = shape[1];
            float eps = 1e-6f;
            for (CpuKernels kernels : new CpuKernels[]{SINGLE, THREADED}) {
                CpuTensor x = slicedTensor(rnd, rows, d);
                float[] w = random(rnd, d);
                float[] xv = host(x);
                double[] want = new double[rows * d], wantRstd = new double[rows];
                for (int r = 0; r < rows; r++) {
                    double ss = 0;
                    for (int c = 0; c < d; c++) {
                        ss += (double) xv[r * d + c] * xv[r * d + c];
                    }
                    wantRstd[r] = 1 / Math.sqrt(ss / d + eps);
                    for (int c = 0; c < d; c++) {
                        want[r * d + c] = xv[r * d + c] * wantRstd[r] * w[c];
                    }
                }
                CpuTensor out = slicedTensor(rnd, rows, d), rstd = new CpuTensor(rows, 1);
                kernels.rmsNorm(x, tensor(w, 1, d), eps, out, rstd);
                assertClose("out", host(out), want, null, 1e-6, 1e-7);
                assertClose("rstd", host(rstd), wantRstd, null, 1e-6, 0);
                kernels.rmsNorm(x, tensor(w, 1, d), eps, x, null);
                assertClose("in place", host(x), host(out), 0, 0);
            }
        }
    }

    @Test
    void rmsNormBackwardMatchesReferenceAndFiniteDifferences() {
        Random rnd = new Random(22);
        for (int[] shape : new int[][]{{1, 5}, {9, 33}, {70, 257}}) {
            int rows = shape[0], d = shape[1];
            float eps = 1e-5f;
            float[] x = random(rnd, rows * d), w = random(rnd, d), dy = random(rnd, rows * d);
            for (CpuKernels kernels : new CpuKernels[]{SINGLE, THREADED}) {
                CpuTensor rstd = new CpuTensor(rows, 1);
                kernels.rmsNorm(tensor(x, rows, d), tensor(w, 1, d), eps, new CpuTensor(rows, d), rstd);
                float[] dx0 = random(rnd, rows * d), dw0 = random(rnd, d);
                CpuTensor dx = tensor(dx0, rows, d), dw = tensor(dw0, 1, d);
                kernels.rmsNormBackward(tensor(dy, rows, d), tensor(x, rows, d), tensor(w, 1, d), rstd, dx, dw);
                double[] wantDx = new double[rows * d], wantDw = new double[d];
                for (int c = 0; c < d; c++) {
                    wantDw[c] = dw0[c];
                }
                for (int r = 0; r < rows; r++) {
                    double ss = 0;
                    for (int c = 0; c < d; c++) {
                        ss += (double) x[r * d + c] * x[r * d + c];
                    }
                    double rs = 1 / Math.sqrt(ss / d + eps);
                    double dot = 0;
                    for (int c = 0; c < d; c++) {
                        dot += (double) dy[r * d + c] * w[c] * x[r * d + c];
                    }
                    for (int c = 0; c < d; c++) {
                        wantDx[r * d + c] = dx0[r * d + c] + rs * dy[r * d + c] * w[c] - x[r * d + c] * rs * rs * rs * dot / d;
                        wantDw[c] += dy[r * d + c] * x[r * d + c] * rs;
                    }
                }
                assertClose("dx", host(dx), wantDx, null, 1e-5, 1e-5);
                assertClose("dw", host(dw), wantDw, null, 1e-5, 1e-5);
            }
            // finite differences of the forward, from zeroed gradients
            CpuTensor rstd = new CpuTensor(rows, 1);
            SINGLE.rmsNorm(tensor(x, rows, d), tensor(w, 1, d), eps, new CpuTensor(rows, d), rstd);
            CpuTensor dx = new CpuTensor(rows, d), dw = new CpuTensor(1, d);
            SINGLE.rmsNormBackward(tensor(dy, rows, d), tensor(x, rows, d), tensor(w, 1, d), rstd, dx, dw);
            Forward forward = () -> {
                CpuTensor out = new CpuTensor(rows, d);
                SINGLE.rmsNorm(tensor(x, rows, d), tensor(w, 1, d), eps, out, null);
                return host(out);
            };
            assertGradientByFiniteDifferences("dx", forward, dy, x, host(dx), 1e-2f, 40, rnd);
            assertGradientByFiniteDifferences("dw", forward, dy, w, host(dw), 1e-2f, 40, rnd);
        }
    }

    @Test
    void ropeMatchesReferenceAndInverseUndoesIt() {
        Random rnd = new Random(23);
        int maxPos = 50;
        for (int[] shape : new int[][]{{1, 1, 2}, {5, 3, 6}, {17, 4, 64}, {40, 2, 20}}) {
            int t = shape[0], heads = shape[1], hd = shape[2], half = hd / 2;
            float[] cos = new float[maxPos * half], sin = new float[maxPos * half];
            for (int p = 0; p < maxPos; p++) {
                for (int j = 0; j < half; j++) {
                    double angle = p * Math.pow(10000, -2.0 * j / hd);
                    cos[p * half + j] = (float) Math.cos(angle);
                    sin[p * half + j] = (float) Math.sin(angle);
                }
            }
            int[] positions = new int[t];
            for (int i = 0; i < t; i++) {
                positions[i] = rnd.nextInt(maxPos);
            }
            for (CpuKernels kernels : new CpuKernels[]{SINGLE, THREADED}) {
                CpuTensor x = slicedTensor(rnd, t, heads * hd);
                float[] xv = host(x);
                double[] want = new double[xv.length];
                for (int i = 0; i < t; i++) {
                    for (int h = 0; h < heads; h++) {
                        int b = i * heads * hd + h * hd;
                        for (int j = 0; j < half; j++) {
                            double c = cos[positions[i] * half + j], s = sin[positions[i] * half + j];
                            want[b + j] = xv[b + j] * c - xv[b + half + j] * s;
                            want[b + half + j] = xv[b + half + j] * c + xv[b + j] * s;
                        }
                    }
                }
                kernels.rope(x, heads, hd, positions, tensor(cos, maxPos, half), tensor(sin, maxPos, half), false);
                assertClose("rope", host(x), want, null, 1e-6, 1e-6);
                // the inverse is the transpose: <R a, b> = <a, R^T b>
                float[] b = random(rnd, xv.length);
                CpuTensor bt = tensor(b, t, heads * hd);
                kernels.rope(bt, heads, hd, positions, tensor(cos, maxPos, half), tensor(sin, maxPos, half), true);
                double lhs = dot(host(x), b), rhs = dot(xv, host(bt));
                if (Math.abs(lhs - rhs) > 1e-4 * (1 + Math.abs(lhs))) {
                    throw new AssertionError("inverse rope is not the transpose: " + lhs + " vs " + rhs);
                }
                kernels.rope(x, heads, hd, positions, tensor(cos, maxPos, half), tensor(sin, maxPos, half), true);
                assertClose("round trip", host(x), xv, 1e-5, 1e-6);
            }
        }
        CpuTensor table = new CpuTensor(4, 3);
        assertThatThrownBy(() -> SINGLE.rope(new CpuTensor(2, 12), 2, 6, new int[]{0, 4}, table, table, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[4, 3]");
    }
}
