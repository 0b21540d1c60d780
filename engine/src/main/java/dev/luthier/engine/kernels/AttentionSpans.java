package dev.luthier.engine.kernels;

/**
 * Which query rows attend to which key rows, one entry per sequence in a packed batch.
 *
 * <p>Sequence {@code s} has {@code queryLen[s]} query rows starting at row {@code queryStart[s]} of the query
 * tensor and {@code keyLen[s]} key/value rows starting at {@code keyStart[s]} of the key and value tensors.
 * The queries are the last {@code queryLen[s]} positions of the sequence: query {@code j} sits at key position
 * {@code keyLen[s] - queryLen[s] + j} and attends causally to keys {@code 0..that position}. In training the
 * keys are the batch's own rows ({@code keyStart == queryStart}, {@code keyLen == queryLen}); when decoding, the
 * keys live in a KV cache and the queries are the newest tokens.
 */
public record AttentionSpans(int[] queryStart, int[] queryLen, int[] keyStart, int[] keyLen) {
    public AttentionSpans {
        int n = queryStart.length;
        if (queryLen.length != n || keyStart.length != n || keyLen.length != n) {
            throw new IllegalArgumentException("attention spans: arrays of different lengths");
        }
        for (int s = 0; s < n; s++) {
            if (queryLen[s] > keyLen[s]) {
                throw new IllegalArgumentException("attention spans: sequence " + s + " has more queries (" + queryLen[s]
                        + ") than keys (" + keyLen[s] + ")");
            }
        }
    }

    public int sequences() {
        return queryStart.length;
    }

    /** Spans for training: each sequence attends to itself. */
    public static AttentionSpans selfAttention(int[] start, int[] length) {
        return new AttentionSpans(start, length, start, length);
    }
}
