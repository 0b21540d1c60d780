package dev.luthier.api.proto;

import dev.luthier.api.WireFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Raw little-endian arrays, as numpy's {@code tobytes()} writes them. */
public final class LittleEndian {
  private LittleEndian() {}

  private static ByteBuffer le(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }

  static void checkMultiple(byte[] b, int itemSize, String field) {
    if (b.length % itemSize != 0) {
      throw new WireFormatException(field, b.length + " bytes is not a whole number of " + itemSize + "-byte elements");
    }
  }

  public static int[] int32s(byte[] b, String field) {
    checkMultiple(b, 4, field);
    int[] out = new int[b.length / 4];
    le(b).asIntBuffer().get(out);
    return out;
  }

  public static long[] int64s(byte[] b, String field) {
    checkMultiple(b, 8, field);
    long[] out = new long[b.length / 8];
    le(b).asLongBuffer().get(out);
    return out;
  }

  public static float[] float32s(byte[] b, String field) {
    checkMultiple(b, 4, field);
    float[] out = new float[b.length / 4];
    le(b).asFloatBuffer().get(out);
    return out;
  }

  /** bfloat16 widened to float32: the 16 bits become the upper half of the float. */
  public static float[] bfloat16s(byte[] b, String field) {
    checkMultiple(b, 2, field);
    float[] out = new float[b.length / 2];
    for (int i = 0; i < out.length; i++) {
      int bits = (b[2 * i] & 0xff) | (b[2 * i + 1] & 0xff) << 8;
      out[i] = Float.intBitsToFloat(bits << 16);
    }
    return out;
  }

  public static byte[] of(int[] v) {
    byte[] b = new byte[v.length * 4];
    le(b).asIntBuffer().put(v);
    return b;
  }

  public static byte[] of(long[] v) {
    byte[] b = new byte[v.length * 8];
    le(b).asLongBuffer().put(v);
    return b;
  }

  public static byte[] of(float[] v) {
    byte[] b = new byte[v.length * 4];
    le(b).asFloatBuffer().put(v);
    return b;
  }
}
