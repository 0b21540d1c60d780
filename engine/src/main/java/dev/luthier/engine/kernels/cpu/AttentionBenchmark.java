package dev.luthier.engine.kernels.cpu;

import dev.luthier.engine.kernels.AttentionSpans;
import jdk.incubator.vector.FloatVector;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Random;

/**
 * Throughput of the CPU attention forward and backward on training shapes, and of a decode step against a long
 * cache. Run with {@code --add-modules jdk.incubator.vector}; the optional arguments are the thread count (default:
 * all processors), the seconds per measurement (default 1) and a filter on the case names ("train [512, 9, 3, 64]",
 * "decode [1, 1, 4096, 16, 8, 128]": sequences, queries, keys, heads, kv heads, head size).
 *
 * <p>Single-threaded figures are
 * from the thread's CPU time, multi-threaded ones from wall time. FLOPs are counted for causal attention: the forward is two products (q·kᵀ and p·v) over the T·T/2 allowed
 * (query, key) pairs at 2·headDim FLOP each, so {@code 2·T²·headDim} per query head; the backward is counted as
 * twice the forward. A decode step is reported as the bytes of K and V it has to read per second.
 *
 * <p>Classes named by the system property {@code attention.compare} (default {@code AttentionOld}; comma-separated, in
 * this package) with the same static {@code forward}/{@code backward} methods are measured next to the current one
 * when they are on the class path: copies of earlier implementations, kept out of the repository.
 */
public final class AttentionBenchmark {
    private AttentionBenchmark() {
    }

    interface Impl {
        void forward(WorkerPool pool, CpuTensor q, CpuTensor k, CpuTensor v, CpuTensor out, CpuTensor lse,
                     AttentionSpans spans, int qHeads, int kvHeads, int headDim, float scale) throws Exception;

        void backward(WorkerPool pool, CpuTensor dOut, CpuTensor q, CpuTensor k, CpuTensor v, CpuTensor out,
                      CpuTensor lse, AttentionSpans spans, int qHeads, int kvHeads, int headDim, float scale,
                      CpuTensor dq, CpuTensor dk, CpuTensor dv) throws Exception;
    }

    private static final Impl CURRENT = new Impl() {
        @Override
        public void forward(WorkerPool pool, CpuTensor q, CpuTensor k, CpuTensor v, CpuTensor out, CpuTensor lse,
                            AttentionSpans spans, int qHeads, int kvHeads, int headDim, float scale) {
            Attention.forward(pool, q, k, v, out, lse, spans, qHeads, kvHeads, headDim, scale);
        }

        @Override
        public void backward(WorkerPool pool, CpuTensor dOut, CpuTensor q, CpuTensor k, CpuTensor v, CpuTensor out,
                             CpuTensor lse, AttentionSpans spans, int qHeads, int kvHeads, int headDim, float scale,
                             CpuTensor dq, CpuTensor dk, CpuTensor dv) {
            Attention.backward(pool, dOut, q, k, v, out, lse, spans, qHeads, kvHeads, headDim, scale, dq, dk, dv);
        }
    };

    private static Impl reflective(String className) {
        try {
            Class<?> c = Class.forName(className);
            Method f = Arrays.stream(c.getDeclaredMethods()).filter(m -> m.getName().equals("forward")).findFirst().orElseThrow();
            Method b = Arrays.stream(c.getDeclaredMethods()).filter(m -> m.getName().equals("backward")).findFirst().orElseThrow();
            f.setAccessible(true);
            b.setAccessible(true);
            return new Impl() {
                @Override
                public void forward(WorkerPool pool, CpuTensor q, CpuTensor k, CpuTensor v, CpuTensor out, CpuTensor lse,
                                    AttentionSpans spans, int qHeads, int kvHeads, int headDim, float scale) throws Exception {
                    f.invoke(null, pool, q, k, v, out, lse, spans, qHeads, kvHeads, headDim, scale);
                }

                @Override
                public void backward(WorkerPool pool, CpuTensor dOut, CpuTensor q, CpuTensor k, CpuTensor v, CpuTensor out,
                                     CpuTensor lse, AttentionSpans spans, int qHeads, int kvHeads, int headDim, float scale,
                                     CpuTensor dq, CpuTensor dk, CpuTensor dv) throws Exception {
                    b.invoke(null, pool, dOut, q, k, v, out, lse, spans, qHeads, kvHeads, headDim, scale, dq, dk, dv);
                }
            };
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    /**
     * Fastest seconds per call over about {@code seconds} of calls (after at least two seconds of warm-up): on a machine
     * shared with other work the minimum is the most repeatable figure. With {@code cpuTime} (single-threaded runs)
     * the calling thread's CPU time is measured instead of wall time, which leaves out time it was descheduled.
     */
    private static double time(Body body, double seconds, boolean cpuTime) throws Exception {
        long warmEnd = System.nanoTime() + (long) (Math.max(2, seconds) * 1e9);
        while (System.nanoTime() < warmEnd) {
            body.run();
        }
        double[] times = new double[10_000];
        int n = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        while ((System.nanoTime() < end || n < 3) && n < times.length) {
            long t0 = cpuTime ? mx.getCurrentThreadCpuTime() : System.nanoTime();
            body.run();
            times[n++] = ((cpuTime ? mx.getCurrentThreadCpuTime() : System.nanoTime()) - t0) * 1e-9;
        }
        Arrays.sort(times, 0, n);
        return times[0];
    }

    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextFloat() * 2 - 1;
        }
        return a;
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
        String filter = args.length > 2 ? args[2] : "";
        System.out.printf("threads %d, vector %d bits%n", threads, FloatVector.SPECIES_PREFERRED.vectorBitSize());
        // earlier implementations to compare with, when their classes are on the class path
        java.util.List<Impl> impls = new java.util.ArrayList<>();
        java.util.List<String> names = new java.util.ArrayList<>();
        for (String name : System.getProperty("attention.compare", "AttentionOld").split(",")) {
            Impl impl = name.isBlank() ? null : reflective("dev.luthier.engine.kernels.cpu." + name.trim());
            if (impl != null) {
                impls.add(impl);
                names.add(name.trim());
            }
        }
        impls.add(CURRENT);
        names.add("current");
        int[][] training = {{512, 9, 3, 64}, {512, 16, 8, 128}};
        try (WorkerPool one = new WorkerPool(1); WorkerPool all = new WorkerPool(threads)) {
            for (int[] c : training) {
                int t = c[0], qh = c[1], kvh = c[2], hd = c[3];
                if (!("train " + Arrays.toString(c)).contains(filter)) {
                    continue;
                }
                Random rnd = new Random(1);
                CpuTensor q = new CpuTensor(random(rnd, t * qh * hd), 0, t, qh * hd);
                CpuTensor k = new CpuTensor(random(rnd, t * kvh * hd), 0, t, kvh * hd);
                CpuTensor v = new CpuTensor(random(rnd, t * kvh * hd), 0, t, kvh * hd);
                CpuTensor dOut = new CpuTensor(random(rnd, t * qh * hd), 0, t, qh * hd);
                CpuTensor out = new CpuTensor(t, qh * hd), lse = new CpuTensor(t, qh);
                CpuTensor dq = new CpuTensor(t, qh * hd), dk = new CpuTensor(t, kvh * hd), dv = new CpuTensor(t, kvh * hd);
                AttentionSpans spans = AttentionSpans.selfAttention(new int[]{0}, new int[]{t});
                float scale = (float) (1 / Math.sqrt(hd));
                double fwdFlops = 2.0 * t * t * hd * qh;
                for (int ii = 0; ii < impls.size(); ii++) {
                    Impl impl = impls.get(ii);
                    String name = names.get(ii);
                    for (WorkerPool pool : threads == 1 ? new WorkerPool[]{one} : new WorkerPool[]{one, all}) {
                        double f = time(() -> impl.forward(pool, q, k, v, out, lse, spans, qh, kvh, hd, scale), seconds, pool.threads() == 1);
                        double b = time(() -> impl.backward(pool, dOut, q, k, v, out, lse, spans, qh, kvh, hd, scale,
                                dq, dk, dv), seconds, pool.threads() == 1);
                        System.out.printf("T=%d heads %d/%d hd %d  %-7s %2dT  forward %7.2f ms %6.1f GFLOP/s   backward %7.2f ms %6.1f GFLOP/s%n",
                                t, qh, kvh, hd, name, pool.threads(), f * 1e3, fwdFlops / f * 1e-9, b * 1e3,
                                2 * fwdFlops / b * 1e-9);
                    }
                }
            }
            // decode: a few new tokens of a few sequences against a long cache
            int[][] decode = {{1, 1, 4096, 16, 8, 128}, {4, 1, 2048, 16, 8, 128}, {1, 8, 2048, 9, 3, 64}};
            for (int[] c : decode) {
                int seqs = c[0], ql = c[1], kl = c[2], qh = c[3], kvh = c[4], hd = c[5];
                if (!("decode " + Arrays.toString(c)).contains(filter)) {
                    continue;
                }
                Random rnd = new Random(2);
                int tq = seqs * ql, tk = seqs * kl;
                CpuTensor q = new CpuTensor(random(rnd, tq * qh * hd), 0, tq, qh * hd);
                CpuTensor k = new CpuTensor(random(rnd, tk * kvh * hd), 0, tk, kvh * hd);
                CpuTensor v = new CpuTensor(random(rnd, tk * kvh * hd), 0, tk, kvh * hd);
                CpuTensor out = new CpuTensor(tq, qh * hd), lse = new CpuTensor(tq, qh);
                int[] qs = new int[seqs], qls = new int[seqs], ks = new int[seqs], kls = new int[seqs];
                for (int s = 0; s < seqs; s++) {
                    qs[s] = s * ql;
                    qls[s] = ql;
                    ks[s] = s * kl;
                    kls[s] = kl;
                }
                AttentionSpans spans = new AttentionSpans(qs, qls, ks, kls);
                float scale = (float) (1 / Math.sqrt(hd));
                double bytes = 2.0 * tk * kvh * hd * 4;
                for (int ii = 0; ii < impls.size(); ii++) {
                    Impl impl = impls.get(ii);
                    String name = names.get(ii);
                    for (WorkerPool pool : threads == 1 ? new WorkerPool[]{one} : new WorkerPool[]{one, all}) {
                        double f = time(() -> impl.forward(pool, q, k, v, out, lse, spans, qh, kvh, hd, scale), seconds, pool.threads() == 1);
                        System.out.printf("decode %d seq x %d q / %d keys, heads %d/%d hd %d  %-7s %2dT  %7.3f ms  K+V %6.1f GB/s%n",
                                seqs, ql, kl, qh, kvh, hd, name, pool.threads(), f * 1e3, bytes / f * 1e-9);
                    }
                }
            }
        }
    }
}
