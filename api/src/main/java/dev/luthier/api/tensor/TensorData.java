package dev.luthier.api.tensor;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.luthier.api.WireFormatException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A dense tensor as it travels in {@code loss_fn_inputs} and {@code loss_fn_outputs}: a flat
 * row-major array of float32 or int64 values and its shape. Exactly one of {@code floats} and
 * {@code longs} is non-null, the one matching {@code dtype}.
 *
 * <p>Sparse CSR bodies are densified while parsing ({@link SparseCsr}); a {@code TensorData} is
 * always dense. A body without a shape is 1-D. The arrays are shared, not copied: treat them as
 * read-only.
 *
 * <p>JSON: {@code {"data": [...], "dtype": "float32", "shape": [...]}} and nothing else (the SDK
 * forbids extra keys in this type).
 */
@JsonSerialize(using = TensorDataJson.Serializer.class)
@JsonDeserialize(using = TensorDataJson.Deserializer.class)
public record TensorData(DType dtype, long[] shape, float[] floats, long[] longs) {

  public TensorData {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(shape, "shape");
    if ((dtype == DType.FLOAT32) != (floats != null) || (dtype == DType.INT64) != (longs != null)) {
      throw new IllegalArgumentException("exactly the data array of dtype " + dtype + " must be set");
    }
    long n = elementCount(shape, "shape");
    int len = dtype == DType.FLOAT32 ? floats.length : longs.length;
    if (n != len) {
      throw new WireFormatException("shape", "shape " + Arrays.toString(shape) + " holds " + n
          + " elements but data has " + len);
    }
  }

  /** A float32 tensor; no shape means 1-D. */
  public static TensorData ofFloats(float[] data, long... shape) {
    return new TensorData(DType.FLOAT32, shape.length == 0 ? new long[] {data.length} : shape, data, null);
  }

  /** An int64 tensor; no shape means 1-D. */
  public static TensorData ofLongs(long[] data, long... shape) {
    return new TensorData(DType.INT64, shape.length == 0 ? new long[] {data.length} : shape, null, data);
  }

  /** An int64 tensor from int values (token ids); no shape means 1-D. */
  public static TensorData ofInts(int[] data, long... shape) {
    long[] l = new long[data.length];
    for (int i = 0; i < l.length; i++) l[i] = data[i];
    return ofLongs(l, shape);
  }

  /** The product of {@code shape}, checking that every dimension is ≥ 0 and the product fits. */
  public static long elementCount(long[] shape, String field) {
    long n = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) throw new WireFormatException(field, "dimension " + i + " is negative: " + shape[i]);
      try {
        n = Math.multiplyExact(n, shape[i]);
      } catch (ArithmeticException e) {
        throw new WireFormatException(field, "too many elements: " + Arrays.toString(shape));
      }
    }
    if (n > Integer.MAX_VALUE - 8) throw new WireFormatException(field, "too many elements: " + Arrays.toString(shape));
    return n;
  }

  /** Number of elements. */
  public int size() {
    return dtype == DType.FLOAT32 ? floats.length : longs.length;
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /** The leading dimension (the token count for loss inputs); 1 for a scalar. */
  public long leadingDim() {
    return shape.length == 0 ? 1 : shape[0];
  }

  /** The values as float32, widening int64 (exact up to 2^24). */
  public float[] toFloats() {
    if (floats != null) return floats;
    float[] out = new float[longs.length];
    for (int i = 0; i < out.length; i++) out[i] = longs[i];
    return out;
  }

  /**
   * The values as int64. A float32 tensor converts only when every value is integral, else a
   * {@link WireFormatException}.
   */
  public long[] toLongs() {
    if (longs != null) return longs;
    long[] out = new long[floats.length];
    for (int i = 0; i < out.length; i++) {
      float f = floats[i];
      if (f != Math.rint(f) || Math.abs(f) > 0x1p62f) {
        throw new WireFormatException("data[" + i + "]", "expected an integer, got " + f);
      }
      out[i] = (long) f;
    }
    return out;
  }

  /** The values as int32 token ids; any value outside int32 is a {@link WireFormatException}. */
  public int[] toInts() {
    long[] l = toLongs();
    int[] out = new int[l.length];
    for (int i = 0; i < out.length; i++) {
      if (l[i] != (int) l[i]) throw new WireFormatException("data[" + i + "]", "out of int32 range: " + l[i]);
      out[i] = (int) l[i];
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorData t && dtype == t.dtype && Arrays.equals(shape, t.shape)
        && Arrays.equals(floats, t.floats) && Arrays.equals(longs, t.longs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(floats), Arrays.hashCode(longs));
  }

  @Override
  public String toString() {
    String data = floats != null ? abbreviate(Arrays.toString(floats)) : abbreviate(Arrays.toString(longs));
    return "TensorData[" + dtype + " " + Arrays.toString(shape) + " " + data + "]";
  }

  private static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 117) + "..." : s;
  }
}
