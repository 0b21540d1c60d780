package dev.luthier.engine.kernels.cpu;

import dev.luthier.engine.tensor.DType;
import dev.luthier.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.luthier.engine.kernels.cpu.KernelTestSupport.*;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpuGroupedMatmulTest {
    private static final CpuKernels SINGLE = new CpuKernels(1);
    private static final CpuKernels THREADED = new CpuKernels(2);

    @AfterAll
    static void close() {
        SINGLE.close();
        THREADED.close();
    }

    /**
     * Group sizes covering decoding (a few rows per expert, some experts empty), one expert taking every row, and
     * prefill-sized groups; shapes large enough that the threaded kernels split the work.
     */
    @Test
    void everyGroupMatchesItsOwnDoubleProduct() {
        int[][] groupRows = {{2, 0, 3, 1, 0, 2, 4, 4}, {0, 0, 16, 0}, {1}, {9, 0, 40, 3}, {5, 5, 0, 0, 0, 1, 1, 1}};
        int[][] shapes = {{256, 256}, {33, 300}, {512, 96}};
        Random rnd = new Random(7);
        int variant = 0;
        for (int[] rows : groupRows) {
            for (int[] shape : shapes) {
                int n = shape[0], k = shape[1];
                DType dtype = variant % 3 == 0 ? DType.F32 : variant % 3 == 1 ? DType.BF16 : DType.F32;
                boolean mapped = variant % 3 != 2 && variant % 2 == 1;
                variant++;
                int[] offsets = new int[rows.length + 1];
                for (int g = 0; g < rows.length; g++) {
                    offsets[g + 1] = offsets[g] + rows[g];
                }
                int m = offsets[rows.length];
                Tensor[] weights = new Tensor[rows.length];
                float[][] values = new float[rows.length][];
                for (int g = 0; g < rows.length; g++) {
                    if (rows[g] == 0 && g % 2 == 0) {
                        continue; // an empty group may have no weight
                    }
                    values[g] = random(rnd, n * k);
                    weights[g] = mapped ? new MappedTensor(encode(values[g], dtype), dtype, n, k) : tensor(values[g], n, k);
                }
                CpuTensor x = slicedTensor(rnd, m, k);
                CpuTensor y = slicedTensor(rnd, m, n);
                float[] xv = host(x);
                double[] want = new double[m * n], scale = new double[m * n];
                for (int g = 0; g < rows.length; g++) {
                    for (int i = offsets[g]; i < offsets[g + 1]; i++) {
                        for (int j = 0; j < n; j++) {
                            double s = 0, a = 0;
                            for (int q = 0; q < k; q++) {
                                double p = (double) xv[i * k + q] * values[g][j * k + q];
                                s += p;
                                a += Math.abs(p);
                            }
                            want[i * n + j] = s;
                            scale[i * n + j] = a;
                        }
                    }
                }
                CpuKernels kernels = variant % 2 == 0 ? SINGLE : THREADED;
                kernels.groupedMatmulNT(x, offsets, weights, y);
                double rtol = dtype == DType.F32 ? 1e-5 : 1e-2;
                assertClose("grouped " + java.util.Arrays.toString(rows) + " n=" + n + " k=" + k + " " + dtype
                        + (mapped ? " mapped" : ""), host(y), want, scale, rtol, 1e-6);
            }
        }
    }

    @Test
    void inconsistentGroupsAreNamedErrors() {
        Random rnd = new Random(8);
        CpuTensor x = slicedTensor(rnd, 4, 8);
        CpuTensor y = slicedTensor(rnd, 4, 5);
        Tensor w = tensor(random(rnd, 40), 5, 8);
        assertThatThrownBy(() -> SINGLE.groupedMatmulNT(x, new int[]{0, 3}, new Tensor[]{w}, y))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offsets");
        assertThatThrownBy(() -> SINGLE.groupedMatmulNT(x, new int[]{0, 3, 2, 4}, new Tensor[]{w, w, w}, y))
                .hasMessageContaining("ascending");
        assertThatThrownBy(() -> SINGLE.groupedMatmulNT(x, new int[]{0, 2, 4}, new Tensor[]{w, null}, y))
                .hasMessageContaining("no weight");
        Tensor wrong = tensor(random(rnd, 48), 6, 8);
        assertThatThrownBy(() -> SINGLE.groupedMatmulNT(x, new int[]{0, 2, 4}, new Tensor[]{w, wrong}, y))
                .hasMessageContaining("group 1");
    }
}
