package dev.luthier.engine.sampler;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from one row of logits: greedy at temperature 0, otherwise a draw from the tempered
 * distribution restricted by top-k and top-p. The reported log-probability is that of the untempered, unrestricted
 * distribution, which is what a forward pass gives for the same token.
 */
public final class TokenChooser {
    private TokenChooser() {
    }

    public record Choice(int token, float logprob) {
    }

    public static Choice choose(float[] logits, SamplingParams params, SplittableRandom random) {
        return choose(logits, logSumExp(logits, 1.0), params, random);
    }

    /** As {@link #choose(float[], SamplingParams, SplittableRandom)}, with the row's log-sum-exp already known. */
    public static Choice choose(float[] logits, double lse, SamplingParams params, SplittableRandom random) {
        int token = params.temperature() == 0 ? argmax(logits) : draw(logits, params, random.nextDouble());
        return new Choice(token, (float) (logits[token] - lse));
    }

    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    static double logSumExp(float[] logits, double invTemperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l * invTemperature);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l * invTemperature - max);
        }
        return max + Math.log(sum);
    }

    private static int draw(float[] logits, SamplingParams params, double uniform) {
        double invT = 1.0 / params.temperature();
        int v = logits.length;
        int[] candidates;
        if (params.topK() > 0 && params.topK() < v) {
            candidates = topK(logits, params.topK());
        } else {
            candidates = new int[v];
            for (int i = 0; i < v; i++) {
                candidates[i] = i;
            }
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int c : candidates) {
            max = Math.max(max, logits[c] * invT);
        }
        double[] weights = new double[candidates.length];
        double total = 0;
        for (int i = 0; i < candidates.length; i++) {
            weights[i] = Math.exp(logits[candidates[i]] * invT - max);
            total += weights[i];
        }
        if (params.topP() < 1) {
            Integer[] order = new Integer[candidates.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            final double[] w = weights;
            Arrays.sort(order, (a, b) -> w[b] != w[a] ? Double.compare(w[b], w[a]) : Integer.compare(candidates[a], candidates[b]));
            double cumulative = 0;
            int keep = 0;
            while (keep < order.length) {
                cumulative += w[order[keep]] / total;
                keep++;
                if (cumulative >= params.topP()) {
                    break;
                }
            }
            int[] kept = new int[keep];
            double[] keptWeights = new double[keep];
            double keptTotal = 0;
            for (int i = 0; i < keep; i++) {
                kept[i] = candidates[order[i]];
                keptWeights[i] = w[order[i]];
                keptTotal += keptWeights[i];
            }
            return pick(kept, keptWeights, keptTotal, uniform);
        }
        return pick(candidates, weights, total, uniform);
    }

    private static int pick(int[] candidates, double[] weights, double total, double uniform) {
        double target = uniform * total;
        double cumulative = 0;
        for (int i = 0; i < candidates.length; i++) {
            cumulative += weights[i];
            if (target < cumulative) {
                return candidates[i];
            }
        }
        for (int i = candidates.length - 1; i >= 0; i--) {
            if (weights[i] > 0) {
                return candidates[i];
            }
        }
        return candidates[candidates.length - 1];
    }

    /** The indices of the k largest logits (ties broken by lower index), in descending order of logit. */
    public static int[] topK(float[] logits, int k) {
        int n = Math.min(k, logits.length);
        // A min-heap of the best n seen so far; its root is the worst of them.
        int[] heap = new int[n];
        int size = 0;
        for (int i = 0; i < logits.length; i++) {
            if (size < n) {
                heap[size] = i;
                siftUp(heap, size++, logits);
            } else if (better(i, heap[0], logits)) {
                heap[0] = i;
                siftDown(heap, n, logits);
            }
        }
        int[] out = new int[n];
        for (int i = n - 1; i >= 0; i--) {
            out[i] = heap[0];
            heap[0] = heap[--size];
            siftDown(heap, size, logits);
        }
        return out;
    }

    private static boolean better(int a, int b, float[] l) {
        return l[a] > l[b] || (l[a] == l[b] && a < b);
    }

    private static void siftUp(int[] h, int i, float[] l) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!better(h[parent], h[i], l)) {
                break;
            }
            int t = h[parent];
            h[parent] = h[i];
            h[i] = t;
            i = parent;
        }
    }

    private static void siftDown(int[] h, int size, float[] l) {
        int i = 0;
        while (true) {
            int left = 2 * i + 1;
            int right = left + 1;
            int worst = i;
            if (left < size && better(h[worst], h[left], l)) {
                worst = left;
            }
            if (right < size && better(h[worst], h[right], l)) {
                worst = right;
            }
            if (worst == i) {
                return;
            }
            int t = h[worst];
            h[worst] = h[i];
            h[i] = t;
            i = worst;
        }
    }
}
