package dev.luthier.client.training;

import java.util.concurrent.CompletableFuture;

/**
 * The per-model clock of a training client. A call takes its seq_ids when it is made ({@link #reserve}) and gets a
 * turn: its POSTs start only after the previous turn's POSTs have returned, so the server receives requests in
 * seq_id order even when the user issues {@code forwardBackward} and {@code optimStep} back to back without waiting.
 * seq_id 0 is the model's creation; the first call gets 1.
 */
final class Sequencer {
    private int next;
    private CompletableFuture<Void> lastTurn = CompletableFuture.completedFuture(null);

    Sequencer(int firstSeqId) {
        this.next = firstSeqId;
    }

    /** A turn holding {@code count} consecutive seq_ids. */
    record Turn(int firstSeqId, int count, CompletableFuture<Void> previous, CompletableFuture<Void> done) {
        /** Waits until every earlier turn has posted its requests. */
        void awaitPrevious() {
            previous.join();
        }

        /** Lets the next turn post (always call it, also when posting failed, so later calls are not stuck). */
        void finish() {
            done.complete(null);
        }
    }

    synchronized Turn reserve(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("a turn needs at least one seq_id");
        }
        Turn t = new Turn(next, count, lastTurn, new CompletableFuture<>());
        next += count;
        lastTurn = t.done();
        return t;
    }

    synchronized int nextSeqId() {
        return next;
    }
}
