package dev.luthier.server.futures;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The server side of Tinker's futures: every asynchronous request gets an id at once; its outcome is delivered by
 * long-polling ({@link #await}). Outcomes are kept after delivery for a retention period, then forgotten; a
 * forgotten id answers {@link Lookup.Gone} (HTTP 410), an id never issued {@link Lookup.Unknown} (HTTP 404).
 */
public final class FutureStore {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(FutureStore.class.getName());
    private final Clock clock;
    private final Duration retention;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Instant> forgotten = new ConcurrentHashMap<>();
    private volatile java.util.function.BiConsumer<String, FutureOutcome> listener = (id, outcome) -> { };

    public FutureStore(Clock clock, Duration retention) {
        this.clock = clock;
        this.retention = retention;
    }

    /** What a poll finds. */
    public sealed interface Lookup {
        record Done(FutureOutcome outcome) implements Lookup {
        }

        /** Still running after the wait; {@code queueState} says why, for the 408 body. */
        record Pending(String queueState) implements Lookup {
        }

        record Unknown() implements Lookup {
        }

        record Gone() implements Lookup {
        }
    }

    private static final class Entry {
        final String operation;
        final ReentrantLock lock = new ReentrantLock();
        final Condition done = lock.newCondition();
        volatile FutureOutcome outcome;
        volatile Instant completedAt;
        volatile String queueState = "active";

        Entry(String operation) {
            this.operation = operation;
        }
    }

    /** Called once per request, after it completes (e.g. to persist the outcome). */
    public void onComplete(java.util.function.BiConsumer<String, FutureOutcome> listener) {
        this.listener = listener;
    }

    /** Issues a new request id for an operation (e.g. {@code ForwardBackward}). */
    public String create(String operation) {
        String id = UUID.randomUUID().toString();
        entries.put(id, new Entry(operation));
        return id;
    }

    /** Registers a request id chosen by the caller (for ids restored from storage). */
    public void register(String id, String operation) {
        entries.putIfAbsent(id, new Entry(operation));
    }

    /** Forgets a registered request that turned out to be a duplicate (it was never answered). */
    public void discard(String id) {
        entries.remove(id);
    }

    public boolean isPending(String id) {
        Entry e = entries.get(id);
        return e != null && e.outcome == null;
    }

    public Optional<String> operation(String id) {
        Entry e = entries.get(id);
        return e == null ? Optional.empty() : Optional.of(e.operation);
    }

    /** Sets the queue state reported while the request waits ({@code active}, {@code paused_rate_limit}, ...). */
    public void setQueueState(String id, String state) {
        Entry e = entries.get(id);
        if (e != null) {
            e.queueState = state;
        }
    }

    /** Completes a request; later completions of the same id are ignored. */
    public void complete(String id, FutureOutcome outcome) {
        Entry e = entries.get(id);
        if (e == null) {
            return;
        }
        e.lock.lock();
        try {
            if (e.outcome == null) {
                // the listener runs before the outcome is visible, so whoever reads the outcome reads it after the
                // listener has been told (usage and audit reads rely on it: see LuthierService.awaitAccounting)
                try {
                    listener.accept(id, outcome);
                } catch (RuntimeException failure) {
                    // e.g. the persister is shut down: the outcome must still reach its caller
                    LOG.log(java.util.logging.Level.WARNING, "could not record the completion of " + id, failure);
                }
                e.outcome = outcome;
                e.completedAt = clock.instant();
                e.done.signalAll();
            }
        } finally {
            e.lock.unlock();
        }
    }

    /** Waits up to {@code wait} for the outcome. */
    public Lookup await(String id, Duration wait) throws InterruptedException {
        Entry e = entries.get(id);
        if (e == null) {
            return forgotten.containsKey(id) ? new Lookup.Gone() : new Lookup.Unknown();
        }
        e.lock.lock();
        try {
            long nanos = wait.toNanos();
            while (e.outcome == null && nanos > 0) {
                nanos = e.done.awaitNanos(nanos);
            }
            return e.outcome != null ? new Lookup.Done(e.outcome) : new Lookup.Pending(e.queueState);
        } finally {
            e.lock.unlock();
        }
    }

    /** Forgets outcomes completed longer ago than the retention period; returns how many. */
    public int evictExpired() {
        Instant cutoff = clock.instant().minus(retention);
        int n = 0;
        for (var it = entries.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            Instant at = entry.getValue().completedAt;
            if (at != null && at.isBefore(cutoff)) {
                it.remove();
                forgotten.put(entry.getKey(), at);
                n++;
            }
        }
        forgotten.values().removeIf(at -> at.isBefore(cutoff.minus(retention.multipliedBy(6))));
        return n;
    }

    /** The ids of requests not finished yet. */
    public java.util.List<String> pendingIds() {
        java.util.List<String> out = new java.util.ArrayList<>();
        entries.forEach((id, e) -> {
            if (e.outcome == null) {
                out.add(id);
            }
        });
        return out;
    }

    public int pendingCount() {
        int n = 0;
        for (Entry e : entries.values()) {
            if (e.outcome == null) {
                n++;
            }
        }
        return n;
    }

}
