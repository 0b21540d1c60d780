package dev.luthier.api.input;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import dev.luthier.api.WireFormatException;
import java.util.Arrays;
import java.util.OptionalInt;

/**
 * {@code {"type": "dmel", "dmel": "<base64>"}} (SDK ≥0.23, audio). The bytes are a TensorContainer:
 * an optional marker byte 254, a dtype byte 0–7, a varint ndim, then ndim varint dims; the chunk's
 * length is dim 0.
 */
public record DmelChunk(@JsonProperty(value = "dmel", required = true) byte[] dmel) implements ModelInputChunk {
  public static final String TYPE = "dmel";
  private static final int CONSTANT_MARKER = 254;

  public DmelChunk {
    Fields.require(dmel, "dmel");
  }

  @Override
  public String chunkType() {
    return TYPE;
  }

  /** Dim 0 of the TensorContainer; a {@link WireFormatException} when the header is unreadable. */
  @Override
  public OptionalInt length() {
    long[] shape = shape();
    if (shape.length == 0) throw new WireFormatException("dmel", "TensorContainer has no dimension 0");
    if (shape[0] > Integer.MAX_VALUE) throw new WireFormatException("dmel", "dimension 0 is too large: " + shape[0]);
    return OptionalInt.of((int) shape[0]);
  }

  /** The TensorContainer's shape, read from its header without touching the payload. */
  public long[] shape() {
    byte[] d = dmel;
    if (d.length == 0) throw new WireFormatException("dmel", "TensorContainer bytes are empty");
    int[] pos = {0};
    if ((d[0] & 0xff) == CONSTANT_MARKER) {
      pos[0]++;
      if (pos[0] >= d.length) throw new WireFormatException("dmel", "truncated TensorContainer header");
    }
    int dtype = d[pos[0]++] & 0xff;
    if (dtype > 7) throw new WireFormatException("dmel", "unknown TensorContainer dtype byte: " + dtype);
    long ndim = varint(d, pos);
    if (ndim > 64) throw new WireFormatException("dmel", "TensorContainer has too many dimensions: " + ndim);
    long[] shape = new long[(int) ndim];
    for (int i = 0; i < ndim; i++) shape[i] = varint(d, pos);
    return shape;
  }

  private static long varint(byte[] d, int[] pos) {
    long value = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
      if (pos[0] >= d.length) throw new WireFormatException("dmel", "truncated TensorContainer header");
      int b = d[pos[0]++] & 0xff;
      value |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) return value;
    }
    throw new WireFormatException("dmel", "TensorContainer varint is too long");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DmelChunk c && Arrays.equals(dmel, c.dmel);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dmel);
  }

  @Override
  public String toString() {
    return "DmelChunk[" + dmel.length + " bytes]";
  }
}
