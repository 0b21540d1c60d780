package dev.luthier.api.proto;

/** {@code enum DType} of the schema: the element type of a Tensor or BatchedTensor. */
public final class ProtoDType {
  public static final int UNSPECIFIED = 0;
  public static final int FLOAT32 = 1;
  public static final int INT64 = 2;
  public static final int INT32 = 3;
  public static final int BFLOAT16 = 4;

  private ProtoDType() {}

  /** Bytes per element, or 0 for an unknown code. */
  public static int itemSize(int dtype) {
    return switch (dtype) {
      case FLOAT32, INT32 -> 4;
      case INT64 -> 8;
      case BFLOAT16 -> 2;
      default -> 0;
    };
  }

  public static String name(int dtype) {
    return switch (dtype) {
      case UNSPECIFIED -> "DTYPE_UNSPECIFIED";
      case FLOAT32 -> "DTYPE_FLOAT32";
      case INT64 -> "DTYPE_INT64";
      case INT32 -> "DTYPE_INT32";
      case BFLOAT16 -> "DTYPE_BFLOAT16";
      default -> "unknown dtype " + dtype;
    };
  }
}
