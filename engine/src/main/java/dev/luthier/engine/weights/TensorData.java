package dev.luthier.engine.weights;

import dev.luthier.engine.tensor.DType;

import java.util.Arrays;

/**
 * A tensor to write: float values and the dtype to store them as (BF16 and F16 round to nearest even).
 */
public record TensorData(DType dtype, long[] shape, float[] values) {

    public TensorData {
        shape = shape.clone();
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " elements but " + values.length + " values were given");
        }
    }

    public static TensorData f32(float[] values, long... shape) {
        return new TensorData(DType.F32, shape, values);
    }

    public static TensorData bf16(float[] values, long... shape) {
        return new TensorData(DType.BF16, shape, values);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long byteSize() {
        return (long) values.length * dtype.bytes();
    }

    /** Round-to-nearest-even float → bfloat16 bits, NaN kept quiet. */
    public static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
