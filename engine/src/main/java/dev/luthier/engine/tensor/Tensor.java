package dev.luthier.engine.tensor;

/**
 * A two-dimensional, row-major, contiguous tensor owned by a {@link dev.luthier.engine.kernels.Kernels} backend.
 *
 * <p>Model code never touches elements directly: it asks the backend to compute, and copies to or from the
 * host only through {@code Kernels.toHost/fromHost}. That keeps the model code valid for a GPU backend.
 * Higher-rank data is laid out in two dimensions: attention activations are {@code [tokens, heads*headDim]}.
 */
public interface Tensor {
    DType dtype();

    int rows();

    int cols();

    default long size() {
        return (long) rows() * cols();
    }

    /** A view of rows {@code [from, to)}, sharing storage. */
    Tensor rowSlice(int from, int to);

    /** A view with another shape and the same number of elements, sharing storage. */
    Tensor view(int rows, int cols);

    default String shapeString() {
        return "[" + rows() + ", " + cols() + "]";
    }
}
