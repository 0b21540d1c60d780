package dev.luthier.server.ordering;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ops of one training run in {@code seq_id} order. Ops may arrive out of order (forward_backward chunks are sent
 * in parallel, the first one last); they are buffered until every earlier seq_id has arrived. A resent seq_id gets
 * the original request id back. A gap that does not fill within a timeout fails the ops waiting behind it, and the
 * run continues after them.
 *
 * @param <T> the op type
 */
public final class SequencedQueue<T> {
    /** How many delivered seq_ids are remembered for answering resends. */
    private static final int REMEMBERED = 4096;

    private final Clock clock;
    private final TreeMap<Long, Waiting<T>> buffered = new TreeMap<>();
    private final Map<Long, String> requestIds = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
            return size() > REMEMBERED + buffered.size();
        }
    };
    private long next;

    /** @param firstSeqId the first seq_id expected (1 after create_model's implicit 0) */
    public SequencedQueue(Clock clock, long firstSeqId) {
        this.clock = clock;
        this.next = firstSeqId;
    }

    public record Waiting<T>(long seqId, String requestId, T op, Instant arrived) {
    }

    /** The outcome of a submission: the request id to answer with, and whether this op is new. */
    public record Admission(String requestId, boolean fresh) {
    }

    /**
     * Admits an op. A seq_id seen before returns its original request id and the op is dropped. A seq_id below
     * the next one expected that was never seen is refused with {@link IllegalArgumentException}.
     */
    public synchronized Admission submit(long seqId, String requestId, T op) {
        String known = requestIds.get(seqId);
        if (known != null) {
            return new Admission(known, false);
        }
        if (seqId < next) {
            throw new IllegalArgumentException("seq_id " + seqId + " was already passed (the next expected is " + next + ")");
        }
        requestIds.put(seqId, requestId);
        buffered.put(seqId, new Waiting<>(seqId, requestId, op, clock.instant()));
        return new Admission(requestId, true);
    }

    /** Removes and returns the ops that can run now, in order. */
    public synchronized List<Waiting<T>> takeReady() {
        List<Waiting<T>> out = new ArrayList<>();
        while (!buffered.isEmpty() && buffered.firstKey() == next) {
            out.add(buffered.pollFirstEntry().getValue());
            next++;
        }
        return out;
    }

    /** True when an op is ready to run. */
    public synchronized boolean hasReady() {
        return !buffered.isEmpty() && buffered.firstKey() == next;
    }

    /**
     * When the next seq_id has been missing for longer than {@code timeout} while later ones wait, gives up on it:
     * returns the waiting ops (to be failed) and moves past them.
     */
    public synchronized List<Waiting<T>> expireGap(Duration timeout) {
        if (buffered.isEmpty() || buffered.firstKey() == next) {
            return List.of();
        }
        Instant oldest = buffered.values().stream().map(Waiting::arrived).min(Instant::compareTo).orElseThrow();
        if (oldest.plus(timeout).isAfter(clock.instant())) {
            return List.of();
        }
        List<Waiting<T>> out = new ArrayList<>(buffered.values());
        next = buffered.lastKey() + 1;
        buffered.clear();
        return out;
    }

    /** The seq_id the run waits for next. */
    public synchronized long nextSeqId() {
        return next;
    }

    public synchronized int bufferedCount() {
        return buffered.size();
    }
}
