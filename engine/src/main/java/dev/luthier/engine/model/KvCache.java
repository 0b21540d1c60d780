package dev.luthier.engine.model;

import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Keys and values of past tokens for decoding: per layer, {@code slots × maxLength} rows of {@code kvDim}.
 * A slot holds one sequence; its rows {@code [0, length)} are filled.
 */
public final class KvCache {
    private final Tensor[] keys;
    private final Tensor[] values;
    private final int slots;
    private final int maxLength;
    private final int[] lengths;
    private final Deque<Integer> free = new ArrayDeque<>();

    public KvCache(ModelConfig config, int slots, int maxLength, Kernels kernels) {
        this.slots = slots;
        this.maxLength = maxLength;
        this.keys = new Tensor[config.numLayers()];
        this.values = new Tensor[config.numLayers()];
        for (int l = 0; l < config.numLayers(); l++) {
            keys[l] = kernels.allocate(slots * maxLength, config.kvDim());
            values[l] = kernels.allocate(slots * maxLength, config.kvDim());
        }
        this.lengths = new int[slots];
        for (int s = 0; s < slots; s++) {
            free.add(s);
        }
    }

    /** Takes a free slot, or returns -1 when all are in use. */
    public synchronized int acquire() {
        Integer s = free.poll();
        if (s == null) {
            return -1;
        }
        lengths[s] = 0;
        return s;
    }

    public synchronized void release(int slot) {
        lengths[slot] = 0;
        free.add(slot);
    }

    public synchronized int freeSlots() {
        return free.size();
    }

    public int slots() {
        return slots;
    }

    public int maxLength() {
        return maxLength;
    }

    public int length(int slot) {
        return lengths[slot];
    }

    public void advance(int slot, int tokens) {
        if (lengths[slot] + tokens > maxLength) {
            throw new IllegalStateException("KV cache slot " + slot + " overflows its " + maxLength + " positions");
        }
        lengths[slot] += tokens;
    }

    /** Copies the filled rows of one slot into another (for samples that share a prompt). */
    public void copySlot(int from, int to, Kernels kernels) {
        int n = lengths[from];
        for (int l = 0; l < keys.length; l++) {
            kernels.copy(keys[l].rowSlice(from * maxLength, from * maxLength + n), keys[l].rowSlice(to * maxLength, to * maxLength + n));
            kernels.copy(values[l].rowSlice(from * maxLength, from * maxLength + n), values[l].rowSlice(to * maxLength, to * maxLength + n));
        }
        lengths[to] = n;
    }

    public Tensor keys(int layer) {
        return keys[layer];
    }

    public Tensor values(int layer) {
        return values[layer];
    }

    @Override
    public String toString() {
        return "KvCache[slots=" + slots + ", maxLength=" + maxLength + ", lengths=" + Arrays.toString(lengths) + "]";
    }
}
