package dev.luthier.engine.kernels.cpu;

import dev.luthier.engine.tensor.DType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

import static org.assertj.core.api.Assertions.fail;

/** Random data, low-precision weight bytes and tolerant comparisons for the CPU kernel tests. */
final class KernelTestSupport {
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private KernelTestSupport() {
    }

    static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextFloat() * 2 - 1;
        }
        return a;
    }

    /** A tensor that is a row slice of a larger array (non-zero offset, garbage around it). */
    static CpuTensor slicedTensor(Random rnd, int rows, int cols) {
        int before = 3, after = 2;
        float[] data = random(rnd, (rows + before + after) * cols + 1);
        return new CpuTensor(data, 0, rows + before + after, cols).rowSlice(before, before + rows);
    }

    static CpuTensor tensor(float[] values, int rows, int cols) {
        return new CpuTensor(values.clone(), 0, rows, cols);
    }

    static float[] host(CpuTensor t) {
        float[] out = new float[t.rows() * t.cols()];
        System.arraycopy(t.data(), t.offset(), out, 0, out.length);
        return out;
    }

    /** Rounds {@code values} to the dtype and returns the little-endian bytes; {@code values} is overwritten by the rounded values. */
    static MemorySegment encode(float[] values, DType dtype) {
        MemorySegment seg = Arena.ofAuto().allocate((long) values.length * dtype.bytes(), 8);
        for (int i = 0; i < values.length; i++) {
            switch (dtype) {
                case F32 -> seg.set(F32_LE, 4L * i, values[i]);
                case BF16 -> {
                    short bits = (short) (Float.floatToRawIntBits(values[i]) >>> 16);
                    seg.set(I16_LE, 2L * i, bits);
                    values[i] = Float.intBitsToFloat(bits << 16);
                }
                case F16 -> {
                    short bits = Float.floatToFloat16(values[i]);
                    seg.set(I16_LE, 2L * i, bits);
                    values[i] = Float.float16ToFloat(bits);
                }
            }
        }
        return seg;
    }

    /** Asserts |got - want| <= atol + rtol * scale[i] (scale: a magnitude such as sum of |terms|). */
    static void assertClose(String what, float[] got, double[] want, double[] scale, double rtol, double atol) {
        if (got.length != want.length) {
            fail(what + ": length " + got.length + " != " + want.length);
        }
        for (int i = 0; i < got.length; i++) {
            double tol = atol + rtol * (scale == null ? Math.abs(want[i]) : scale[i]);
            if (!(Math.abs(got[i] - want[i]) <= tol)) {
                fail(what + ": element " + i + " is " + got[i] + ", expected " + want[i] + " (tolerance " + tol + ")");
            }
        }
    }

    static void assertClose(String what, float[] got, float[] want, double rtol, double atol) {
        double[] w = new double[want.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = want[i];
        }
        assertClose(what, got, w, null, rtol, atol);
    }

    /** A forward computation over float inputs (which the finite-difference check perturbs in place). */
    interface Forward {
        float[] run();
    }

    /**
     * Checks {@code grad} (the backward's gradient of sum(out * r) with respect to {@code input}) against central
     * differences of {@code forward}, at up to {@code samples} elements.
     */
    static void assertGradientByFiniteDifferences(String what, Forward forward, float[] r, float[] input, float[] grad,
                                                  float h, int samples, Random rnd) {
        int n = input.length;
        for (int s = 0; s < Math.min(samples, n); s++) {
            int i = samples >= n ? s : rnd.nextInt(n);
            float saved = input[i];
            input[i] = saved + h;
            double plus = dot(forward.run(), r);
            input[i] = saved - h;
            double minus = dot(forward.run(), r);
            input[i] = saved;
            double fd = (plus - minus) / (2.0 * h);
            if (Math.abs(fd - grad[i]) > 3e-3 + 3e-3 * Math.abs(fd)) {
                fail(what + " element " + i + ": backward " + grad[i] + ", finite difference " + fd);
            }
        }
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
