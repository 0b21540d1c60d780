package dev.luthier.engine.kernels.cpu;

/** Splits row loops of the elementwise kernels over the worker pool when there is enough work to pay for it. */
final class ParallelRows {
    /** Below this many element operations a loop stays on the calling thread. */
    static final long PARALLEL_WORK = 1L << 15;

    interface RangeBody {
        void run(int from, int to);
    }

    private ParallelRows() {
    }

    static void forRange(WorkerPool pool, int count, long workPerItem, RangeBody body) {
        if (count <= 0) {
            return;
        }
        int threads = (long) count * workPerItem < PARALLEL_WORK ? 1 : pool.threads();
        if (threads == 1 || count == 1) {
            body.run(0, count);
            return;
        }
        // a few chunks per thread, taken dynamically, so that a preempted thread delays only its own chunk
        int[] bounds = Matmul.split(count, 4 * threads, 1);
        pool.forEach(bounds.length - 1, t -> body.run(bounds[t], bounds[t + 1]));
    }
}
