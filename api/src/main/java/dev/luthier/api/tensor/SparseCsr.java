package dev.luthier.api.tensor;

import dev.luthier.api.WireFormatException;
import java.util.Arrays;

/**
 * Densifies a 2-D sparse CSR tensor (SDK ≥0.18.0, top-K distillation targets and weights):
 * {@code values} hold the non-zeros row by row, {@code crowIndices} has rows+1 entries (first 0,
 * last nnz, non-decreasing), {@code colIndices} has nnz entries in [0, cols). Every unlisted entry
 * is 0 (the SDK's default pad value; the wire carries no other). A column listed twice in one row
 * is summed, as torch's {@code to_dense} does.
 */
public final class SparseCsr {
  private SparseCsr() {}

  /** Checks the index arrays against {@code shape} and returns the dense row-major index of each value. */
  static int[] denseIndices(long[] shape, long[] crow, long[] col, int nnz) {
    if (shape == null) throw new WireFormatException("shape", "a sparse CSR tensor needs its dense shape");
    if (shape.length != 2) {
      throw new WireFormatException("shape", "a sparse CSR tensor must be 2-D, got shape " + Arrays.toString(shape));
    }
    TensorData.elementCount(shape, "shape");
    long rows = shape[0];
    long cols = shape[1];
    if (col == null) throw new WireFormatException("sparse_col_indices", "required with sparse_crow_indices");
    if (crow.length != rows + 1) {
      throw new WireFormatException("sparse_crow_indices", "expected " + (rows + 1) + " entries (rows + 1), got " + crow.length);
    }
    if (crow[0] != 0) throw new WireFormatException("sparse_crow_indices[0]", "must be 0, got " + crow[0]);
    for (int r = 0; r < rows; r++) {
      if (crow[r + 1] < crow[r]) {
        throw new WireFormatException("sparse_crow_indices[" + (r + 1) + "]", "row pointers must not decrease");
      }
    }
    if (crow[(int) rows] != nnz) {
      throw new WireFormatException("sparse_crow_indices[" + rows + "]", "must equal the number of values (" + nnz + "), got " + crow[(int) rows]);
    }
    if (col.length != nnz) {
      throw new WireFormatException("sparse_col_indices", "expected " + nnz + " entries (one per value), got " + col.length);
    }
    int[] idx = new int[nnz];
    for (int r = 0; r < rows; r++) {
      for (int k = (int) crow[r]; k < crow[r + 1]; k++) {
        long c = col[k];
        if (c < 0 || c >= cols) {
          throw new WireFormatException("sparse_col_indices[" + k + "]", "column " + c + " is outside [0, " + cols + ")");
        }
        idx[k] = (int) (r * cols + c);
      }
    }
    return idx;
  }

  /** The dense float32 tensor of a CSR body. */
  public static TensorData densifyFloats(long[] shape, float[] values, long[] crow, long[] col) {
    int[] idx = denseIndices(shape, crow, col, values.length);
    float[] dense = new float[(int) (shape[0] * shape[1])];
    for (int k = 0; k < idx.length; k++) dense[idx[k]] += values[k];
    return new TensorData(DType.FLOAT32, shape, dense, null);
  }

  /** The dense int64 tensor of a CSR body. */
  public static TensorData densifyLongs(long[] shape, long[] values, long[] crow, long[] col) {
    int[] idx = denseIndices(shape, crow, col, values.length);
    long[] dense = new long[(int) (shape[0] * shape[1])];
    for (int k = 0; k < idx.length; k++) dense[idx[k]] += values[k];
    return new TensorData(DType.INT64, shape, null, dense);
  }
}
