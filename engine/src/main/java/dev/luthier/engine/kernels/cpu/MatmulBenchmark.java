package dev.luthier.engine.kernels.cpu;

import dev.luthier.engine.tensor.DType;
import dev.luthier.engine.tensor.Tensor;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

/**
 * Throughput of the three matrix products and of decode-sized GEMV, next to a measured FMA peak, for reporting
 * kernels as a fraction of what the machine can do. Run with {@code --add-modules jdk.incubator.vector}; the
 * optional arguments are the thread count (default: all processors) and a filter on the case names. Single-thread
 * figures and the FMA peaks are timed in thread CPU time (robust to other load); multi-thread figures in wall time.
 */
public final class MatmulBenchmark {
    private static final double SECONDS_PER_CASE = 1.0;

    private MatmulBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        System.out.printf("threads %d, vector %d bits%n", threads, FloatVector.SPECIES_PREFERRED.vectorBitSize());
        String filter = args.length > 1 ? args[1] : "";
        double peak1 = MachineLimits.fmaGflops(1, false, true);
        double peakAll = MachineLimits.fmaGflops(threads, false, true);
        System.out.printf("fp32 FMA peak, 256-bit vectors: %.1f GFLOP/s (1 thread), %.1f GFLOP/s (%d threads)%n", peak1, peakAll, threads);
        if (FloatVector.SPECIES_PREFERRED.vectorBitSize() != 256) {
            peak1 = MachineLimits.fmaGflops(1, true, true);
            peakAll = MachineLimits.fmaGflops(threads, true, true);
            System.out.printf("fp32 FMA peak, %d-bit vectors: %.1f GFLOP/s (1 thread), %.1f GFLOP/s (%d threads)%n",
                    FloatVector.SPECIES_PREFERRED.vectorBitSize(), peak1, peakAll, threads);
        }
        System.out.printf("read bandwidth (512 MiB, %d threads): %.1f GB/s%n", threads, MachineLimits.readBandwidthGBps(threads));

        try (CpuKernels one = new CpuKernels(1); CpuKernels all = new CpuKernels(threads)) {
            int[][] shapes = {{2048, 576, 576}, {2048, 1536, 576}, {1, 49152, 576}, {8, 1536, 576}, {2048, 16, 576}};
            long warmEnd = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < warmEnd) {
                for (int[] s : shapes) {
                    for (String p : new String[]{"NT", "NN", "TN", "NT-bf16"}) {
                        if (s[0] == 1 && p.equals("TN") || !(p + " " + s[0] + "x" + s[1] + "x" + s[2]).contains(filter)) {
                            continue;
                        }
                        Case c = new Case(p, s[0], s[1], s[2]);
                        c.run(all);
                        c.run(one);
                    }
                }
            }
            for (int[] s : shapes) {
                for (String p : new String[]{"NT", "NN", "TN", "NT-bf16", "NN-bf16"}) {
                    if (s[0] == 1 && p.equals("TN")) {
                        continue;
                    }
                    if (!(p + " " + s[0] + "x" + s[1] + "x" + s[2]).contains(filter)) {
                        continue;
                    }
                    Case c = new Case(p, s[0], s[1], s[2]);
                    double g1 = c.measure(one);
                    double gAll = c.measure(all);
                    String bw = s[0] == 1 ? String.format("  (weights %.1f/%.1f GB/s)", g1 * c.weightBytesPerFlop(),
                            gAll * c.weightBytesPerFlop()) : "";
                    System.out.printf("%-8s M=%-5d N=%-6d K=%-5d  1T %6.1f GFLOP/s (%3.0f%%)   %dT %6.1f GFLOP/s (%3.0f%%)%s%n",
                            p, s[0], s[1], s[2], g1, 100 * g1 / peak1, threads, gAll, 100 * gAll / peakAll, bw);
                }
            }
        }
    }

    /** One product on one shape, with its operands. */
    private static final class Case {
        final String product;
        final int m, n, k;
        final Tensor a, w, y;

        Case(String product, int m, int n, int k) {
            this.product = product;
            this.m = m;
            this.n = n;
            this.k = k;
            Random rnd = new Random(1);
            boolean bf16 = product.endsWith("bf16");
            switch (product) {
                case "NT", "NT-bf16" -> {
                    a = random(rnd, m, k);
                    w = bf16 ? bf16Weight(rnd, n, k) : random(rnd, n, k);
                    y = new CpuTensor(m, n);
                }
                case "NN", "NN-bf16" -> {
                    a = random(rnd, m, n);
                    w = bf16 ? bf16Weight(rnd, n, k) : random(rnd, n, k);
                    y = new CpuTensor(m, k);
                }
                default -> {
                    a = random(rnd, m, n);
                    w = random(rnd, m, k);
                    y = new CpuTensor(n, k);
                }
            }
        }

        void run(CpuKernels kernels) {
            switch (product) {
                case "NT", "NT-bf16" -> kernels.matmulNT(a, w, y, 1f, false);
                case "NN", "NN-bf16" -> kernels.matmulNN(a, w, y, 1f, false);
                default -> kernels.matmulTN(a, w, y, 1f, false);
            }
        }

        double weightBytesPerFlop() {
            return (double) w.size() * w.dtype().bytes() / (2.0 * m * n * k);
        }

        /**
         * Median GFLOP/s over calls for about {@link #SECONDS_PER_CASE}. Single-threaded runs are timed by the
         * thread's CPU time, which other processes on a shared machine do not inflate.
         */
        double measure(CpuKernels kernels) {
            run(kernels);
            boolean cpuTime = kernels.threads() == 1;
            var mx = java.lang.management.ManagementFactory.getThreadMXBean();
            double[] times = new double[100_000];
            int calls = 0;
            long end = System.nanoTime() + (long) (SECONDS_PER_CASE * 1e9);
            while ((System.nanoTime() < end || calls < 3) && calls < times.length) {
                long t0 = cpuTime ? mx.getCurrentThreadCpuTime() : System.nanoTime();
                run(kernels);
                long t1 = cpuTime ? mx.getCurrentThreadCpuTime() : System.nanoTime();
                times[calls++] = (t1 - t0) * 1e-9;
            }
            Arrays.sort(times, 0, calls);
            return 2.0 * m * n * k / times[calls / 2] / 1e9;
        }
    }

    private static CpuTensor random(Random rnd, int rows, int cols) {
        float[] data = new float[rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = rnd.nextFloat() - 0.5f;
        }
        return new CpuTensor(data, 0, rows, cols);
    }

    private static MappedTensor bf16Weight(Random rnd, int rows, int cols) {
        MemorySegment seg = Arena.ofAuto().allocate((long) rows * cols * 2, 64);
        ValueLayout.OfShort le = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < (long) rows * cols; i++) {
            seg.set(le, 2 * i, (short) (Float.floatToRawIntBits(rnd.nextFloat() - 0.5f) >>> 16));
        }
        return new MappedTensor(seg, DType.BF16, rows, cols);
    }

}
