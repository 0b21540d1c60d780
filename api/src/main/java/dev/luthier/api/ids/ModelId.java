package dev.luthier.api.ids;

import dev.luthier.api.WireFormatException;

/**
 * A training run / model id as the real service forms it: {@code "<session_id>:train:<n>"}, where
 * n is the session's {@code model_seq_id}.
 */
public record ModelId(String sessionId, int seq) {
  static final String MARKER = ":train:";

  public ModelId {
    if (sessionId == null || sessionId.isEmpty()) throw new WireFormatException("model_id", "session id is empty");
    if (sessionId.indexOf('/') >= 0) throw new WireFormatException("model_id", "session id must not contain '/'");
    if (seq < 0) throw new WireFormatException("model_id", "model sequence number is negative: " + seq);
  }

  /** Parses {@code "<session>:train:<n>"}. */
  public static ModelId parse(String id) {
    int[] parsed = SeqIds.split(id, MARKER, "model_id", "<session>:train:<n>");
    return new ModelId(id.substring(0, parsed[0]), parsed[1]);
  }

  /** True when {@code id} has this form. */
  public static boolean matches(String id) {
    try {
      parse(id);
      return true;
    } catch (WireFormatException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return sessionId + MARKER + seq;
  }
}
