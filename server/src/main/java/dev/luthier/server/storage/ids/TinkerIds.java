package dev.luthier.server.storage.ids;

/**
 * Ids as the real service forms them (wire spec §9.8): a training run {@code "<session>:train:<model_seq_id>"} and a
 * sampling session {@code "<session>:sample:<sampling_session_seq_id>"}.
 */
public final class TinkerIds {
    private TinkerIds() {
    }

    public static String trainingRun(String sessionId, long modelSeqId) {
        return sessionId + ":train:" + modelSeqId;
    }

    public static String samplingSession(String sessionId, long samplingSeqId) {
        return sessionId + ":sample:" + samplingSeqId;
    }

    /** The session a training run or sampling session id starts with, or null when the id has neither form. */
    public static String sessionOf(String id) {
        if (id == null) {
            return null;
        }
        int at = Math.max(id.lastIndexOf(":train:"), id.lastIndexOf(":sample:"));
        return at > 0 ? id.substring(0, at) : null;
    }
}
