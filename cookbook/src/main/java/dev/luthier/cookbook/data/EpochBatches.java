package dev.luthier.cookbook.data;

/**
 * Which items make up the batch of each training step: every epoch is a fresh permutation of the data set (seeded by
 * {@code seed} and the epoch number), cut into {@code batchSize} pieces; a last piece smaller than a batch is left
 * out of that epoch. The batch of a step is a pure function of the step, which is what makes resuming exact.
 */
public record EpochBatches(int datasetSize, int batchSize, long seed) {

    public EpochBatches {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        if (datasetSize < batchSize) {
            throw new IllegalArgumentException("the data set has " + datasetSize + " items, fewer than one batch of " + batchSize);
        }
    }

    public int batchesPerEpoch() {
        return datasetSize / batchSize;
    }

    public long epochOf(long step) {
        return step / batchesPerEpoch();
    }

    /** The item indices of step {@code step} (0-based). */
    public int[] batch(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("negative step " + step);
        }
        long epoch = epochOf(step);
        int within = (int) (step % batchesPerEpoch());
        int[] order = Shuffle.permutation(datasetSize, seed * 1_000_003L + epoch);
        int[] out = new int[batchSize];
        System.arraycopy(order, within * batchSize, out, 0, batchSize);
        return out;
    }
}
