package dev.luthier.engine.kernels.cpu;

import dev.luthier.engine.tensor.DType;
import dev.luthier.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.luthier.engine.kernels.cpu.KernelTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpuMatmulTest {
    private static final CpuKernels SINGLE = new CpuKernels(1);
    private static final CpuKernels THREADED = new CpuKernels(2);
    private static final int[] MS = {1, 2, 3, 5, 8, 17, 130};
    private static final int[] NS = {1, 33, 257};
    private static final int[] KS = {1, 7, 64, 300};
    private static final double RTOL = 1e-5;

    @AfterAll
    static void close() {
        SINGLE.close();
        THREADED.close();
    }

    /** A weight [rows, cols] of the dtype: a heap tensor for F32-heap, otherwise mapped bytes. */
    private record Weight(Tensor tensor, float[] values) {
    }

    private static Weight weight(Random rnd, int rows, int cols, DType dtype, boolean mapped) {
        float[] values = random(rnd, rows * cols);
        if (!mapped) {
            return new Weight(tensor(values, rows, cols), values);
        }
        return new Weight(new MappedTensor(encode(values, dtype), dtype, rows, cols), values);
    }

    @Test
    void matmulNTMatchesDoubleReference() {
        Random rnd = new Random(1);
        for (int m : MS) {
            for (int n : NS) {
                for (int k : KS) {
                    for (int variant = 0; variant < 4; variant++) {
                        DType dtype = variant <= 1 ? DType.F32 : variant == 2 ? DType.BF16 : DType.F16;
                        Weight w = weight(rnd, n, k, dtype, variant > 0);
                        CpuTensor x = slicedTensor(rnd, m, k);
                        CpuTensor y = slicedTensor(rnd, m, n);
                        float[] y0 = host(y);
                        boolean accumulate = (m + n + k + variant) % 2 == 0;
                        float alpha = accumulate ? 0.75f : 1f;
                        double[] want = new double[m * n], scale = new double[m * n];
                        float[] xv = host(x);
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                double s = 0, a = 0;
                                for (int q = 0; q < k; q++) {
                                    double p = (double) xv[i * k + q] * w.values[j * k + q];
                                    s += p;
                                    a += Math.abs(p);
                                }
                                want[i * n + j] = alpha * s + (accumulate ? y0[i * n + j] : 0);
                                scale[i * n + j] = a + (accumulate ? Math.abs(y0[i * n + j]) : 0);
                            }
                        }
                        CpuKernels kernels = (m * n * k) % 3 == 0 ? SINGLE : THREADED;
                        kernels.matmulNT(x, w.tensor, y, alpha, accumulate);
                        assertClose("NT m=" + m + " n=" + n + " k=" + k + " " + w.tensor, host(y), want, scale, RTOL, 1e-6);
                    }
                }
            }
        }
    }

    @Test
    void matmulNNMatchesDoubleReference() {
        Random rnd = new Random(2);
        for (int m : MS) {
            for (int n : NS) {
                for (int k : KS) {
                    for (int variant = 0; variant < 4; variant++) {
                        DType dtype = variant <= 1 ? DType.F32 : variant == 2 ? DType.BF16 : DType.F16;
                        Weight w = weight(rnd, n, k, dtype, variant > 0);
                        CpuTensor a = slicedTensor(rnd, m, n);
                        CpuTensor y = slicedTensor(rnd, m, k);
                        float[] y0 = host(y);
                        boolean accumulate = (m + n + k + variant) % 2 == 1;
                        float alpha = accumulate ? 1f : -1.5f;
                        double[] want = new double[m * k], scale = new double[m * k];
                        float[] av = host(a);
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < k; j++) {
                                double s = 0, abs = 0;
                                for (int q = 0; q < n; q++) {
                                    double p = (double) av[i * n + q] * w.values[q * k + j];
                                    s += p;
                                    abs += Math.abs(p);
                                }
                                want[i * k + j] = alpha * s + (accumulate ? y0[i * k + j] : 0);
                                scale[i * k + j] = Math.abs(alpha) * abs + (accumulate ? Math.abs(y0[i * k + j]) : 0);
                            }
                        }
                        CpuKernels kernels = (m * n * k) % 3 == 1 ? SINGLE : THREADED;
                        kernels.matmulNN(a, w.tensor, y, alpha, accumulate);
                        assertClose("NN m=" + m + " n=" + n + " k=" + k + " " + w.tensor, host(y), want, scale, RTOL, 1e-6);
                    }
                }
            }
        }
    }

    @Test
    void matmulTNMatchesDoubleReference() {
        Random rnd = new Random(3);
        for (int m : MS) {
            for (int n : NS) {
                for (int k : KS) {
                    CpuTensor a = slicedTensor(rnd, m, n);
                    CpuTensor b = slicedTensor(rnd, m, k);
                    CpuTensor y = slicedTensor(rnd, n, k);
                    float[] y0 = host(y);
                    boolean accumulate = (m + n + k) % 2 == 0;
                    float alpha = 0.5f;
                    float[] av = host(a), bv = host(b);
                    double[] want = new double[n * k], scale = new double[n * k];
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < k; j++) {
                            double s = 0, abs = 0;
                            for (int q = 0; q < m; q++) {
                                double p = (double) av[q * n + i] * bv[q * k + j];
                                s += p;
                                abs += Math.abs(p);
                            }
                            want[i * k + j] = alpha * s + (accumulate ? y0[i * k + j] : 0);
                            scale[i * k + j] = alpha * abs + (accumulate ? Math.abs(y0[i * k + j]) : 0);
                        }
                    }
                    CpuKernels kernels = (m + n) % 2 == 0 ? SINGLE : THREADED;
                    kernels.matmulTN(a, b, y, alpha, accumulate);
                    assertClose("TN m=" + m + " n=" + n + " k=" + k, host(y), want, scale, RTOL, 1e-6);
                }
            }
        }
    }

    @Test
    void threadedAndSingleThreadAgreeOnLargeProducts() {
        Random rnd = new Random(4);
        // each above Matmul.PARALLEL_FLOPS, so that the threaded kernels really split the work
        int[][] shapes = {{100, 130, 90}, {1, 3000, 200}, {6, 300, 300}, {40, 300, 100}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            float[] x = random(rnd, m * k), w = random(rnd, n * k), dy = random(rnd, m * n);
            float[] wBf16 = w.clone();
            MappedTensor mapped = new MappedTensor(encode(wBf16, DType.BF16), DType.BF16, n, k);
            for (int product = 0; product < 4; product++) {
                float[][] results = new float[2][];
                for (int t = 0; t < 2; t++) {
                    CpuKernels kernels = t == 0 ? SINGLE : THREADED;
                    switch (product) {
                        case 0 -> {
                            CpuTensor y = new CpuTensor(m, n);
                            kernels.matmulNT(tensor(x, m, k), tensor(w, n, k), y, 1f, false);
                            results[t] = host(y);
                        }
                        case 1 -> {
                            CpuTensor y = new CpuTensor(m, n);
                            kernels.matmulNT(tensor(x, m, k), mapped, y, 1f, false);
                            results[t] = host(y);
                        }
                        case 2 -> {
                            CpuTensor y = new CpuTensor(m, k);
                            kernels.matmulNN(tensor(dy, m, n), mapped, y, 1f, false);
                            results[t] = host(y);
                        }
                        default -> {
                            CpuTensor y = new CpuTensor(n, k);
                            kernels.matmulTN(tensor(dy, m, n), tensor(x, m, k), y, 1f, false);
                            results[t] = host(y);
                        }
                    }
                }
                // summation order differs between thread counts: allow rounding that grows with the inner dimension
                int inner = product == 2 ? n : product == 3 ? m : k;
                assertClose("product " + product + " " + m + "x" + n + "x" + k, results[1], results[0], 1e-5, 1e-5 + 1e-7 * inner);
            }
        }
    }

    @Test
    void weightCopiesSmallTensorsAndMapsLargeOnes() {
        Random rnd = new Random(5);
        float[] small = random(rnd, 3 * 5);
        Tensor t = SINGLE.weight(encode(small, DType.BF16), DType.BF16, 3, 5);
        assertThat(t).isInstanceOf(CpuTensor.class);
        assertThat(t.dtype()).isEqualTo(DType.F32);
        assertThat(SINGLE.toHost(t)).containsExactly(small);
        float[] row = random(rnd, 100_000);
        assertThat(SINGLE.weight(encode(row, DType.F16), DType.F16, 1, 100_000)).isInstanceOf(CpuTensor.class);
        float[] big = random(rnd, 300 * 300);
        Tensor m = SINGLE.weight(encode(big, DType.F16), DType.F16, 300, 300);
        assertThat(m).isInstanceOf(MappedTensor.class);
        assertThat(m.dtype()).isEqualTo(DType.F16);
        assertThat(SINGLE.toHost(m)).isEqualTo(big);
        Tensor slice = m.rowSlice(10, 20).view(20, 150);
        CpuTensor dst = new CpuTensor(20, 150);
        SINGLE.copy(slice, dst);
        float[] expect = new float[3000];
        System.arraycopy(big, 3000, expect, 0, 3000);
        assertThat(host(dst)).isEqualTo(expect);
        assertThatThrownBy(() -> SINGLE.weight(encode(small, DType.F32), DType.F32, 4, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[4, 5]");
    }

    @Test
    void shapeMismatchesThrowNamingTheShapes() {
        CpuTensor x = new CpuTensor(3, 4), w = new CpuTensor(5, 6), y = new CpuTensor(3, 5);
        assertThatThrownBy(() -> SINGLE.matmulNT(x, w, y, 1f, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[3, 4]").hasMessageContaining("[5, 6]");
        assertThatThrownBy(() -> SINGLE.matmulNN(x, w, y, 1f, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[3, 5]");
        assertThatThrownBy(() -> SINGLE.matmulTN(x, w, y, 1f, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[5, 6]");
    }
}
