package dev.luthier.engine.kernels.cpu;

import dev.luthier.engine.tensor.DType;
import dev.luthier.engine.tensor.Tensor;

/** An F32 tensor on the Java heap: {@code rows*cols} contiguous values of {@code data} starting at {@code offset}. */
public final class CpuTensor implements Tensor {
    final float[] data;
    final int offset;
    final int rows;
    final int cols;

    public CpuTensor(float[] data, int offset, int rows, int cols) {
        if (rows < 0 || cols < 0 || offset < 0 || offset + (long) rows * cols > data.length) {
            throw new IllegalArgumentException("tensor [" + rows + ", " + cols + "] at offset " + offset
                    + " does not fit in an array of " + data.length);
        }
        this.data = data;
        this.offset = offset;
        this.rows = rows;
        this.cols = cols;
    }

    public CpuTensor(int rows, int cols) {
        this(new float[Math.multiplyExact(rows, cols)], 0, rows, cols);
    }

    public float[] data() {
        return data;
    }

    public int offset() {
        return offset;
    }

    /** Index in {@link #data()} of element (row, col). */
    int at(int row, int col) {
        return offset + row * cols + col;
    }

    int length() {
        return rows * cols;
    }

    @Override
    public DType dtype() {
        return DType.F32;
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
    public CpuTensor rowSlice(int from, int to) {
        if (from < 0 || to < from || to > rows) {
            throw new IllegalArgumentException("row slice [" + from + ", " + to + ") of " + shapeString());
        }
        return new CpuTensor(data, offset + from * cols, to - from, cols);
    }

    @Override
    public CpuTensor view(int rows, int cols) {
        if ((long) rows * cols != size()) {
            throw new IllegalArgumentException("cannot view " + shapeString() + " as [" + rows + ", " + cols + "]");
        }
        return new CpuTensor(data, offset, rows, cols);
    }

    @Override
    public String toString() {
        return "CpuTensor" + shapeString();
    }
}
