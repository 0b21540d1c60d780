package dev.luthier.engine.kernels.cpu;

import dev.luthier.engine.tensor.DType;
import dev.luthier.engine.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A read-only weight over raw little-endian bytes (F32, BF16 or F16), typically a memory-mapped safetensors region.
 * Kernels read it through {@link #widenRow}, which converts to F32.
 */
public final class MappedTensor implements Tensor {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final MemorySegment bytes;
    final DType dtype;
    final int rows;
    final int cols;

    public MappedTensor(MemorySegment bytes, DType dtype, int rows, int cols) {
        long expected = (long) rows * cols * dtype.bytes();
        if (bytes.byteSize() != expected) {
            throw new IllegalArgumentException("weight [" + rows + ", " + cols + "] " + dtype + " needs " + expected
                    + " bytes, got " + bytes.byteSize());
        }
        this.bytes = bytes;
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public MappedTensor rowSlice(int from, int to) {
        if (from < 0 || to < from || to > rows) {
            throw new IllegalArgumentException("row slice [" + from + ", " + to + ") of " + shapeString());
        }
        long rowBytes = (long) cols * dtype.bytes();
        return new MappedTensor(bytes.asSlice(from * rowBytes, (to - from) * rowBytes), dtype, to - from, cols);
    }

    @Override
    public MappedTensor view(int rows, int cols) {
        if ((long) rows * cols != size()) {
            throw new IllegalArgumentException("cannot view " + shapeString() + " as [" + rows + ", " + cols + "]");
        }
        return new MappedTensor(bytes, dtype, rows, cols);
    }

    /** Widens {@code len} values of row {@code row} starting at column {@code col} into {@code dst[dstOff..]}. */
    void widenRow(int row, int col, int len, float[] dst, int dstOff) {
        widen((long) row * cols + col, len, dst, dstOff);
    }

    /** Widens {@code len} consecutive elements starting at flat element index {@code element}. */
    void widen(long element, int len, float[] dst, int dstOff) {
        switch (dtype) {
            case F32 -> MemorySegment.copy(bytes, F32_LE, element * 4, dst, dstOff, len);
            case BF16 -> widenBf16(bytes, element * 2, len, dst, dstOff);
            case F16 -> {
                long base = element * 2;
                for (int i = 0; i < len; i++) {
                    dst[dstOff + i] = Float.float16ToFloat(bytes.get(I16_LE, base + 2L * i));
                }
            }
        }
    }

    private static void widenBf16(MemorySegment seg, long byteOff, int len, float[] dst, int dstOff) {
        int i = 0;
        int step = FloatVector.SPECIES_256.length();
        for (; i <= len - step; i += step) {
            ShortVector s = ShortVector.fromMemorySegment(ShortVector.SPECIES_128, seg, byteOff + 2L * i, ByteOrder.LITTLE_ENDIAN);
            IntVector wide = (IntVector) s.convertShape(VectorOperators.S2I, IntVector.SPECIES_256, 0);
            wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, dstOff + i);
        }
        for (; i < len; i++) {
            dst[dstOff + i] = Float.intBitsToFloat(seg.get(I16_LE, byteOff + 2L * i) << 16);
        }
    }

    @Override
    public String toString() {
        return "MappedTensor" + shapeString() + " " + dtype;
    }
}
