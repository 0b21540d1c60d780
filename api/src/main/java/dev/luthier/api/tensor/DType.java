package dev.luthier.api.tensor;

import dev.luthier.api.WireFormatException;

/**
 * The public element types of {@link TensorData}: {@code "int64"} and {@code "float32"}. Protobuf
 * adds int32 and bfloat16, which the codecs widen to these two.
 */
public enum DType {
  FLOAT32("float32"),
  INT64("int64");

  private final String wireName;

  DType(String wireName) {
    this.wireName = wireName;
  }

  /** {@code "float32"} or {@code "int64"}. */
  public String wireName() {
    return wireName;
  }

  /** Parses a wire name; anything else is a {@link WireFormatException} at {@code field}. */
  public static DType fromWire(String name, String field) {
    for (DType d : values()) if (d.wireName.equals(name)) return d;
    throw new WireFormatException(field, "unknown dtype \"" + name + "\" (expected \"int64\" or \"float32\")");
  }

  @Override
  public String toString() {
    return wireName;
  }
}
