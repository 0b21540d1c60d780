package dev.luthier.api.proto;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A message being written. Nested messages are written to their own writer and embedded as bytes,
 * which is simple and costs one copy per level.
 */
final class ProtoWriter {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

  ProtoWriter string(int field, String value) {
    try {
      out.writeString(field, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** A proto3 singular string: left out when empty. */
  ProtoWriter stringIfSet(int field, String value) {
    return value == null || value.isEmpty() ? this : string(field, value);
  }

  ProtoWriter bytes(int field, byte[] value) {
    try {
      out.writeByteArray(field, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  ProtoWriter message(int field, ProtoWriter message) {
    return bytes(field, message.toBytes());
  }

  /** int32 / enum / bool / uint32 / int64 as a varint; left out when 0 (proto3 default). */
  ProtoWriter varintIfSet(int field, long value) {
    return value == 0 ? this : varint(field, value);
  }

  /** A varint written even when 0 (an {@code optional} field that is present). */
  ProtoWriter varint(int field, long value) {
    try {
      out.writeInt64(field, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  ProtoWriter doubleValue(int field, double value) {
    try {
      out.writeDouble(field, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** A packed repeated int64; left out when empty. */
  ProtoWriter packedInt64(int field, long[] values) {
    if (values.length == 0) return this;
    try {
      int size = 0;
      for (long v : values) size += CodedOutputStream.computeInt64SizeNoTag(v);
      out.writeTag(field, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(size);
      for (long v : values) out.writeInt64NoTag(v);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** A {@code map<string, double>} entry. */
  ProtoWriter mapStringDouble(int field, String key, double value) {
    return message(field, new ProtoWriter().string(1, key).doubleValue(2, value));
  }

  /** A {@code map<string, Message>} entry. */
  ProtoWriter mapStringMessage(int field, String key, ProtoWriter value) {
    return message(field, new ProtoWriter().string(1, key).message(2, value));
  }

  byte[] toBytes() {
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
