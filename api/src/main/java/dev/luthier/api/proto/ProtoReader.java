package dev.luthier.api.proto;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.luthier.api.WireFormatException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one message's fields with {@link CodedInputStream}. As generated code does, a field whose
 * number is unknown, or whose wire type does not match the schema, is skipped.
 */
final class ProtoReader {
  /** Sizes protobuf-java allows by default are raised: a forward_backward body may be hundreds of MB. */
  private static final int SIZE_LIMIT = Integer.MAX_VALUE;

  final CodedInputStream in;
  final String path;
  private int tag;

  private ProtoReader(CodedInputStream in, String path) {
    this.in = in;
    this.path = path;
  }

  static ProtoReader of(byte[] bytes) {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    in.setSizeLimit(SIZE_LIMIT);
    in.setRecursionLimit(64);
    return new ProtoReader(in, "");
  }

  /** The next field number, or 0 at the end of this message. */
  int next() throws IOException {
    tag = in.readTag();
    return WireFormat.getTagFieldNumber(tag);
  }

  int wireType() {
    return WireFormat.getTagWireType(tag);
  }

  boolean isLen() {
    return wireType() == WireFormat.WIRETYPE_LENGTH_DELIMITED;
  }

  boolean isVarint() {
    return wireType() == WireFormat.WIRETYPE_VARINT;
  }

  boolean isFixed64() {
    return wireType() == WireFormat.WIRETYPE_FIXED64;
  }

  void skip() throws IOException {
    if (!in.skipField(tag)) throw new WireFormatException(path, "unexpected end-group tag");
  }

  String field(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /** Reads a nested message (the current field must be length-delimited) with {@code body}. */
  <T> T message(String name, MessageBody<T> body) throws IOException {
    int length = in.readRawVarint32();
    if (length < 0) throw new WireFormatException(field(name), "negative length");
    int old = in.pushLimit(length);
    ProtoReader nested = new ProtoReader(in, field(name));
    T value = body.read(nested);
    if (!in.isAtEnd()) throw new WireFormatException(field(name), "message did not end at its length");
    in.popLimit(old);
    return value;
  }

  /** Appends a repeated int64 field, packed or not. */
  void int64s(List<Long> into) throws IOException {
    if (isLen()) {
      int length = in.readRawVarint32();
      int old = in.pushLimit(length);
      while (!in.isAtEnd()) into.add(in.readInt64());
      in.popLimit(old);
    } else if (isVarint()) {
      into.add(in.readInt64());
    } else {
      skip();
    }
  }

  static long[] toArray(List<Long> list) {
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) out[i] = list.get(i);
    return out;
  }

  static List<Long> longList() {
    return new ArrayList<>();
  }

  @FunctionalInterface
  interface MessageBody<T> {
    T read(ProtoReader r) throws IOException;
  }

  /** Runs a decoder, turning protobuf-java's failures into {@link WireFormatException}. */
  static <T> T decode(byte[] bytes, String what, MessageBody<T> body) {
    if (bytes == null) throw new WireFormatException("", "no " + what + " body");
    try {
      ProtoReader r = of(bytes);
      T value = body.read(r);
      if (!r.in.isAtEnd()) throw new WireFormatException("", "trailing bytes after " + what);
      return value;
    } catch (InvalidProtocolBufferException e) {
      throw new WireFormatException("", "malformed protobuf " + what + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new WireFormatException("", "unreadable protobuf " + what + ": " + e.getMessage(), e);
    } catch (IllegalStateException | IndexOutOfBoundsException | NegativeArraySizeException e) {
      throw new WireFormatException("", "malformed protobuf " + what + ": " + e, e);
    }
  }
}
