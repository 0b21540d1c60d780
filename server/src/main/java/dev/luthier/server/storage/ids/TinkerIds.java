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
}
