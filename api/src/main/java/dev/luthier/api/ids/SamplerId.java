package dev.luthier.api.ids;

import dev.luthier.api.WireFormatException;

/**
 * A sampling session / sampler id: {@code "<session_id>:sample:<n>"}, where n is the session's
 * {@code sampling_session_seq_id}.
 */
public record SamplerId(String sessionId, int seq) {
  static final String MARKER = ":sample:";

  public SamplerId {
    if (sessionId == null || sessionId.isEmpty()) throw new WireFormatException("sampling_session_id", "session id is empty");
    if (seq < 0) throw new WireFormatException("sampling_session_id", "sampler sequence number is negative: " + seq);
  }

  /** Parses {@code "<session>:sample:<n>"}. */
  public static SamplerId parse(String id) {
    int[] parsed = SeqIds.split(id, MARKER, "sampling_session_id", "<session>:sample:<n>");
    return new SamplerId(id.substring(0, parsed[0]), parsed[1]);
  }

  @Override
  public String toString() {
    return sessionId + MARKER + seq;
  }
}
