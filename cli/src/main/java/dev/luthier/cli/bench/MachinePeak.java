package dev.luthier.cli.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * This machine's limits, measured in the same run as a benchmark so results can be reported as ratios: the fp32
 * FMA peak (independent vector FMA chains on every thread at once) and the DRAM read bandwidth (summing a buffer
 * far larger than the caches on every thread at once).
 */
public final class MachinePeak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private MachinePeak() {
    }

    /** GFLOP/s of fp32 FMAs on {@code threads} threads (best of a few rounds). */
    public static double fmaGflops(int threads) throws InterruptedException {
        // Many short calls get the loop compiled by C2 as a whole method rather than interpreted.
        for (int i = 0; i < 20_000; i++) {
            fmaLoop(1_000);
        }
        double best = 0;
        for (int round = 0; round < 3; round++) {
            long iters = 20_000_000;
            DoubleAdder sink = new DoubleAdder();
            List<Thread> ts = new ArrayList<>();
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> sink.add(fmaLoop(iters)));
                ts.add(th);
                th.start();
            }
            for (Thread th : ts) {
                th.join();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // 10 chains × lanes × 2 FLOPs per iteration, per thread.
            double flops = (double) iters * 10 * S.length() * 2 * threads;
            best = Math.max(best, flops / seconds / 1e9);
            if (sink.sum() == 42) {
                System.out.print("");
            }
        }
        return best;
    }

    private static float fmaLoop(long iters) {
        FloatVector a = FloatVector.broadcast(S, 0.999f);
        FloatVector b = FloatVector.broadcast(S, 1e-7f);
        FloatVector c0 = FloatVector.broadcast(S, 1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0,
                c8 = c0, c9 = c0;
        for (long i = 0; i < iters; i++) {
            c0 = c0.fma(a, b);
            c1 = c1.fma(a, b);
            c2 = c2.fma(a, b);
            c3 = c3.fma(a, b);
            c4 = c4.fma(a, b);
            c5 = c5.fma(a, b);
            c6 = c6.fma(a, b);
            c7 = c7.fma(a, b);
            c8 = c8.fma(a, b);
            c9 = c9.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).reduceLanes(VectorOperators.ADD);
    }

    /** GB/s of reading a 512 MiB off-heap buffer split across {@code threads} threads (best of a few passes). */
    public static double readBandwidthGBps(int threads) throws InterruptedException {
        long bytes = 512L << 20;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(bytes, 64);
            seg.fill((byte) 1);
            double best = 0;
            for (int pass = 0; pass < 5; pass++) {
                DoubleAdder sink = new DoubleAdder();
                List<Thread> ts = new ArrayList<>();
                long chunk = bytes / threads;
                long start = System.nanoTime();
                for (int t = 0; t < threads; t++) {
                    long from = t * chunk;
                    Thread th = new Thread(() -> sink.add(sum(seg, from, chunk)));
                    ts.add(th);
                    th.start();
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
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        long step = (long) S.vectorByteSize();
        long end = from + length - 4 * step;
        long i = from;
        for (; i <= end; i += 4 * step) {
            a0 = a0.add(FloatVector.fromMemorySegment(S, seg, i, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(S, seg, i + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(S, seg, i + 2 * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(S, seg, i + 3 * step, ByteOrder.LITTLE_ENDIAN));
        }
        float tail = 0;
        for (; i + 4 <= from + length; i += 4) {
            tail += seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD) + tail;
    }
}
