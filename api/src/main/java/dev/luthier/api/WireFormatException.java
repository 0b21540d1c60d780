package dev.luthier.api;

/**
 * A request or response body that does not follow the wire format: malformed JSON or protobuf, a
 * value of the wrong type, a missing required field, a non-finite float, a tensor whose shape does
 * not match its data. The message names the offending field as a path ({@code
 * forward_backward_input.data[0].loss_fn_inputs.weights.data[3]: ...}), so a server can return it
 * verbatim in a 400 body.
 *
 * <p>Semantic problems that the spec reports through the future (an unknown {@code loss_fn}, a
 * base model that is not served) are not format errors and never raise this.
 */
public class WireFormatException extends IllegalArgumentException {
  private final String field;
  private final String reason;

  /** A problem with no particular field (the whole body). */
  public WireFormatException(String reason) {
    this("", reason, null);
  }

  /** A problem at {@code field}, a dotted path such as {@code sampling_params.seed}. */
  public WireFormatException(String field, String reason) {
    this(field, reason, null);
  }

  public WireFormatException(String field, String reason, Throwable cause) {
    super(field == null || field.isEmpty() ? reason : field + ": " + reason, cause);
    this.field = field == null ? "" : field;
    this.reason = reason;
  }

  /** The path of the offending field, empty for the body as a whole. */
  public String field() {
    return field;
  }

  /** The message without the field path. */
  public String reason() {
    return reason;
  }

  /** The same problem one level down: {@code prefix.field}. */
  public WireFormatException under(String prefix) {
    if (prefix == null || prefix.isEmpty()) return this;
    String joined = field.isEmpty() ? prefix : (field.startsWith("[") ? prefix + field : prefix + "." + field);
    return new WireFormatException(joined, reason, getCause());
  }
}
