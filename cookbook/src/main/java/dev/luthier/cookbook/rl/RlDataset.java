package dev.luthier.cookbook.rl;

/**
 * The prompts an RL run trains on, as a stream of groups: training step {@code s} with {@code G} groups per batch
 * uses groups {@code s·G} to {@code s·G + G − 1} in sync mode; async mode takes them in the same order but may use
 * more when it drops stale ones. Every index ≥ 0 must give a group (finite datasets cycle).
 */
public interface RlDataset {

    /** The group for prompt number {@code index}. */
    EnvGroupBuilder group(long index);
}
