package dev.luthier.api.proto;

import dev.luthier.api.WireFormatException;
import dev.luthier.api.sampling.SampleResponse;
import dev.luthier.api.training.ForwardBackwardOutput;
import dev.luthier.api.training.ForwardBackwardRequest;

/**
 * The protobuf codec of the wire protocol ({@code package tinker_public}, proto3), written with
 * protobuf-java's {@code CodedInputStream}/{@code CodedOutputStream} and no generated code.
 *
 * <p>Server direction: {@link #decodeForwardBackwardRequest} (body of a {@code POST
 * forward_backward} with {@code Content-Type: application/x-protobuf}, after {@link
 * dev.luthier.api.compress.ContentEncoding} has undone any zstd), {@link
 * #encodeForwardBackwardOutput} and {@link #encodeSampleResponse} (results of {@code
 * retrieve_future} when {@code Accept} lists {@code application/x-protobuf}).
 *
 * <p>Client direction (the Java SDK): {@link #encodeForwardBackwardRequest}, {@link
 * #decodeForwardBackwardOutput}, {@link #decodeSampleResponse}.
 *
 * <p>Unknown fields (and fields whose wire type does not match the schema) are skipped; malformed
 * bytes raise {@link WireFormatException}. Decoded tensors are checked as the JSON ones are
 * (finite floats, shape matches data, CSR densified; int32 and bfloat16 widened).
 */
public final class WireProto {
  /** The media type of protobuf bodies. */
  public static final String CONTENT_TYPE = "application/x-protobuf";

  private WireProto() {}

  public static ForwardBackwardRequest decodeForwardBackwardRequest(byte[] body) {
    return ForwardBackwardRequestCodec.decode(body);
  }

  /**
   * Encodes a forward/forward_backward result as one ArrayRecord. {@link IllegalArgumentException}
   * when datums differ in fields, dtype or trailing shape (protobuf cannot carry that; JSON can).
   */
  public static byte[] encodeForwardBackwardOutput(ForwardBackwardOutput output) {
    return ForwardBackwardOutputCodec.encode(output);
  }

  public static byte[] encodeSampleResponse(SampleResponse response) {
    return SampleResponseCodec.encode(response);
  }

  public static byte[] encodeForwardBackwardRequest(ForwardBackwardRequest request) {
    return ForwardBackwardRequestCodec.encode(request);
  }

  public static ForwardBackwardOutput decodeForwardBackwardOutput(byte[] body) {
    return ForwardBackwardOutputCodec.decode(body);
  }

  public static SampleResponse decodeSampleResponse(byte[] body) {
    return SampleResponseCodec.decode(body);
  }

  /** True when a Content-Type or Accept header value names protobuf. */
  public static boolean isProto(String headerValue) {
    return headerValue != null && headerValue.toLowerCase(java.util.Locale.ROOT).contains(CONTENT_TYPE);
  }
}
