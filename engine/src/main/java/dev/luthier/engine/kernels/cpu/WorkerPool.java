package dev.luthier.engine.kernels.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * Persistent worker threads for data-parallel loops. Hand-offs through an executor cost tens of microseconds, which
 * is the whole budget of a decode-sized matmul, so idle workers spin briefly on a volatile epoch and only then park.
 * The calling thread takes part in the work. Calls made while the pool is busy (from a worker, or from another
 * thread) run serially on the caller.
 */
final class WorkerPool implements AutoCloseable {
    private static final int SPINS_BEFORE_PARK = 20_000;
    private static final int SPINS_BEFORE_YIELD = 2_000;

    private final Worker[] workers;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicInteger nextTask = new AtomicInteger();
    private final AtomicInteger busyWorkers = new AtomicInteger();
    private volatile long epoch;
    private volatile boolean closed;
    private IntConsumer body;
    private int taskCount;
    private volatile Throwable failure;

    WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
        }
        workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i);
            workers[i].start();
        }
    }

    int threads() {
        return workers.length + 1;
    }

    /** Runs {@code body.accept(i)} for every {@code i} in {@code [0, tasks)}, spread over the pool; returns when all are done. */
    void forEach(int tasks, IntConsumer body) {
        if (tasks <= 0) {
            return;
        }
        if (tasks == 1 || workers.length == 0 || closed || !lock.tryLock()) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
            return;
        }
        try {
            if (lock.getHoldCount() > 1) {
                for (int i = 0; i < tasks; i++) {
                    body.accept(i);
                }
                return;
            }
            this.body = body;
            this.taskCount = tasks;
            this.failure = null;
            nextTask.set(0);
            busyWorkers.set(workers.length);
            epoch++;
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w);
                }
            }
            runTasks();
            int spins = 0;
            while (busyWorkers.get() != 0) {
                if (++spins < SPINS_BEFORE_YIELD) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            this.body = null;
            Throwable t = failure;
            if (t != null) {
                failure = null;
                if (t instanceof RuntimeException r) {
                    throw r;
                }
                if (t instanceof Error e) {
                    throw e;
                }
                throw new RuntimeException(t);
            }
        } finally {
            lock.unlock();
        }
    }

    private void runTasks() {
        IntConsumer b = body;
        int n = taskCount;
        for (int i; (i = nextTask.getAndIncrement()) < n; ) {
            try {
                b.accept(i);
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
    }

    private final class Worker extends Thread {
        volatile boolean parked;

        Worker(int index) {
            super("luthier-cpu-" + index);
            setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0;
            while (!closed) {
                int spins = 0;
                while (epoch == seen && !closed) {
                    if (++spins < SPINS_BEFORE_PARK) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (epoch == seen && !closed) {
                            LockSupport.park(this);
                        }
                        parked = false;
                    }
                }
                if (closed) {
                    return;
                }
                seen = epoch;
                runTasks();
                busyWorkers.decrementAndGet();
            }
        }
    }
}
