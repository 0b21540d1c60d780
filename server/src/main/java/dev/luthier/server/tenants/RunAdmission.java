package dev.luthier.server.tenants;

import dev.luthier.server.futures.FutureOutcome;
import dev.luthier.server.futures.FutureStore;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * Admission of new training runs under each tenant's {@code max_training_runs}: a run beyond the quota is not
 * refused but waits, in arrival order, its future pending with queue state {@code paused_rate_limit} (which the SDK
 * shows as "concurrent training clients rate limit hit"), until one of the tenant's runs is unloaded or the quota is
 * raised.
 */
public final class RunAdmission {
    public static final String PAUSED = "paused_rate_limit";

    private final Quotas quotas;
    private final FutureStore futures;
    private final ToIntFunction<String> loadedRuns;
    private final Map<String, Deque<Waiting>> waiting = new HashMap<>();

    private record Waiting(String requestId, Runnable start) {
    }

    /** @param loadedRuns how many training runs a tenant has loaded now */
    public RunAdmission(Quotas quotas, FutureStore futures, ToIntFunction<String> loadedRuns) {
        this.quotas = quotas;
        this.futures = futures;
        this.loadedRuns = loadedRuns;
    }

    /** Starts a new run of the tenant now, or parks it until the tenant has a free slot. */
    public synchronized void admit(String tenantId, String requestId, Runnable start) {
        Integer max = quotas.maxTrainingRuns(tenantId);
        Deque<Waiting> queue = waiting.get(tenantId);
        if (max == null || ((queue == null || queue.isEmpty()) && loadedRuns.applyAsInt(tenantId) < max)) {
            start.run();
            return;
        }
        waiting.computeIfAbsent(tenantId, t -> new ArrayDeque<>()).add(new Waiting(requestId, start));
        futures.setQueueState(requestId, PAUSED);
    }

    /** Starts waiting runs whose tenants now have free slots (after an unload, or a quota raised). */
    public synchronized void admitWaiting() {
        for (var e : waiting.entrySet()) {
            Integer max = quotas.maxTrainingRuns(e.getKey());
            while (!e.getValue().isEmpty() && (max == null || loadedRuns.applyAsInt(e.getKey()) < max)) {
                Waiting w = e.getValue().poll();
                futures.setQueueState(w.requestId(), "active");
                try {
                    w.start().run();
                } catch (RuntimeException ex) {
                    // Not the fault of whoever freed the slot (an unload): the waiting run's own request fails.
                    futures.complete(w.requestId(), FutureOutcome.serverError("starting the training run failed: " + ex.getMessage()));
                }
            }
        }
        waiting.values().removeIf(Deque::isEmpty);
    }

    /** Runs waiting, per tenant. */
    public synchronized Map<String, Integer> waitingByTenant() {
        Map<String, Integer> out = new TreeMap<>();
        waiting.forEach((t, q) -> out.put(t, q.size()));
        return out;
    }
}
