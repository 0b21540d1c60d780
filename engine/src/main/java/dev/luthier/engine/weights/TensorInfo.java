package dev.luthier.engine.weights;

import dev.luthier.engine.tensor.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One tensor of a safetensors file: its header entry and a slice of the mapped file holding its
 * little-endian data. The slice lives as long as the {@link SafetensorsFile} that produced it.
 *
 * @param dtypeName the dtype as the header spells it; {@link #dtype()} and {@link #bytes()} throw when the
 *                  engine cannot read it
 * @param file      the file it came from, for error messages
 */
public record TensorInfo(String name, String dtypeName, long[] shape, MemorySegment bytes, Path file) {

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public boolean isSupported() {
        return dtypeName.equals("F32") || dtypeName.equals("BF16") || dtypeName.equals("F16");
    }

    /** The element type; throws for dtypes the engine does not read (I64, F64, F8_*, ...). */
    public DType dtype() {
        if (!isSupported()) {
            throw new UnsupportedOperationException(file + ": tensor " + name + " has dtype " + dtypeName
                    + ", which the engine does not read (supported: F32, BF16, F16)");
        }
        return DType.fromSafetensors(dtypeName);
    }

    /** The raw little-endian data; throws for unsupported dtypes. */
    @Override
    public MemorySegment bytes() {
        dtype();
        return bytes;
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public boolean hasShape(long... expected) {
        return Arrays.equals(shape, expected);
    }

    /** The values widened to float (exact for BF16 and F16). */
    public float[] toFloatArray() {
        DType dt = dtype();
        long n = numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(file + ": tensor " + name + " has " + n + " elements, too many for a float[]");
        }
        float[] out = new float[(int) n];
        switch (dt) {
            case F32 -> MemorySegment.copy(bytes, F32_LE, 0, out, 0, out.length);
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((bytes.getAtIndex(I16_LE, i) & 0xFFFF) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.float16ToFloat(bytes.getAtIndex(I16_LE, i));
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "TensorInfo[" + name + " " + dtypeName + " " + Arrays.toString(shape) + " in " + file + "]";
    }
}
