package dev.luthier.engine.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * This machine's limits, measured in the same run as a benchmark so that results can be reported as ratios: the fp32
 * FMA peak (12 independent vector FMA chains per thread, every thread at once) and the DRAM read bandwidth (summing an
 * off-heap buffer far larger than the caches, split over the threads).
 */
public final class MachineLimits {
    private static final VectorSpecies<Float> PREFERRED = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> AVX2 = FloatVector.SPECIES_256;

    private MachineLimits() {
    }

    /**
     * GFLOP/s of FMAs summed over {@code threads} threads, with the preferred vector width (or 256-bit ones), best of
     * five rounds. With {@code cpuTime} each thread is timed by its own CPU time, which other load does not inflate.
     */
    public static double fmaGflops(int threads, boolean preferredWidth, boolean cpuTime) throws InterruptedException {
        int lanes = (preferredWidth ? PREFERRED : AVX2).length();
        double[] perThread = new double[threads];
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts[t] = new Thread(() -> {
                // Many short calls get the loop compiled by C2 as a whole method rather than run interpreted.
                for (int i = 0; i < 20_000; i++) {
                    loop(1_000, preferredWidth);
                }
                var mx = ManagementFactory.getThreadMXBean();
                long iters = 20_000_000;
                double best = 0;
                for (int rep = 0; rep < 5; rep++) {
                    long t0 = cpuTime ? mx.getCurrentThreadCpuTime() : System.nanoTime();
                    float sink = loop(iters, preferredWidth);
                    double s = ((cpuTime ? mx.getCurrentThreadCpuTime() : System.nanoTime()) - t0) * 1e-9;
                    if (sink == 42f) {
                        System.out.print("");
                    }
                    best = Math.max(best, iters * 12.0 * 2 * lanes / s / 1e9);
                }
                perThread[id] = best;
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        double sum = 0;
        for (double g : perThread) {
            sum += g;
        }
        return sum;
    }

    // Two copies of the loop on purpose: C2 turns vector operations into instructions only when the species is a
    // constant, so a loop taking the species as a parameter would measure the slow fallback.
    private static float loop(long iters, boolean preferred) {
        return preferred ? loopPreferred(iters) : loop256(iters);
    }

    private static float loopPreferred(long iters) {
        FloatVector b = FloatVector.broadcast(PREFERRED, 0.999f), c = FloatVector.broadcast(PREFERRED, 1e-3f);
        FloatVector a0 = FloatVector.broadcast(PREFERRED, 1f), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3),
                a4 = a0.add(4), a5 = a0.add(5), a6 = a0.add(6), a7 = a0.add(7), a8 = a0.add(8), a9 = a0.add(9),
                a10 = a0.add(10), a11 = a0.add(11);
        for (long i = 0; i < iters; i++) {
            a0 = a0.fma(b, c);
            a1 = a1.fma(b, c);
            a2 = a2.fma(b, c);
            a3 = a3.fma(b, c);
            a4 = a4.fma(b, c);
            a5 = a5.fma(b, c);
            a6 = a6.fma(b, c);
            a7 = a7.fma(b, c);
            a8 = a8.fma(b, c);
            a9 = a9.fma(b, c);
            a10 = a10.fma(b, c);
            a11 = a11.fma(b, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    private static float loop256(long iters) {
        FloatVector b = FloatVector.broadcast(AVX2, 0.999f), c = FloatVector.broadcast(AVX2, 1e-3f);
        FloatVector a0 = FloatVector.broadcast(AVX2, 1f), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3),
                a4 = a0.add(4), a5 = a0.add(5), a6 = a0.add(6), a7 = a0.add(7), a8 = a0.add(8), a9 = a0.add(9),
                a10 = a0.add(10), a11 = a0.add(11);
        for (long i = 0; i < iters; i++) {
            a0 = a0.fma(b, c);
            a1 = a1.fma(b, c);
            a2 = a2.fma(b, c);
            a3 = a3.fma(b, c);
            a4 = a4.fma(b, c);
            a5 = a5.fma(b, c);
            a6 = a6.fma(b, c);
            a7 = a7.fma(b, c);
            a8 = a8.fma(b, c);
            a9 = a9.fma(b, c);
            a10 = a10.fma(b, c);
            a11 = a11.fma(b, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    /** GB/s of reading a 512 MiB off-heap buffer split across {@code threads} threads (best of four passes). */
    public static double readBandwidthGBps(int threads) throws InterruptedException {
        long bytes = 512L << 20;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(bytes, 64);
            seg.fill((byte) 1);
            double best = 0;
            for (int pass = 0; pass < 5; pass++) {
                DoubleAdder sink = new DoubleAdder();
                Thread[] ts = new Thread[threads];
                long chunk = bytes / threads;
                long start = System.nanoTime();
                for (int t = 0; t < threads; t++) {
                    long from = t * chunk;
                    ts[t] = Thread.ofPlatform().start(() -> sink.add(sum(seg, from, chunk)));
                }
                for (Thread th : ts) {
                    th.join();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                if (pass > 0) {
                    best = Math.max(best, bytes / seconds / 1e9);
                }
                if (sink.sum() == 42) {
                    System.out.print("");
                }
            }
            return best;
        }
    }

    private static float sum(MemorySegment seg, long from, long length) {
        FloatVector a0 = FloatVector.zero(PREFERRED), a1 = a0, a2 = a0, a3 = a0;
        long step = PREFERRED.vectorByteSize();
        long end = from + length - 4 * step;
        long i = from;
        for (; i <= end; i += 4 * step) {
            a0 = a0.add(FloatVector.fromMemorySegment(PREFERRED, seg, i, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(PREFERRED, seg, i + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(PREFERRED, seg, i + 2 * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(PREFERRED, seg, i + 3 * step, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }
}
