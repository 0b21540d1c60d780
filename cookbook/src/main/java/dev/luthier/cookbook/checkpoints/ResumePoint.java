package dev.luthier.cookbook.checkpoints;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where a recipe started on a log directory begins: at step 0, or at the step of the last checkpoint in its
 * {@code checkpoints.jsonl} that has a training state. A recipe records its identity (what its steps' batches and the
 * checkpoint's state depend on: data size, batch size, seed, model ...) in every checkpoint's {@code extra}; a run
 * whose identity differs, or that has fewer steps than the log directory already holds, is refused.
 *
 * @param logDir     the run's log directory
 * @param checkpoint the checkpoint to load (weights and optimizer state), empty for a fresh start
 * @param totalSteps the steps of the run being started
 */
public record ResumePoint(Path logDir, Optional<CheckpointRecord> checkpoint, long totalSteps) {

    /**
     * Reads {@code logDir}'s checkpoints and checks that a run with {@code identity} and {@code totalSteps} may
     * continue them.
     */
    public static ResumePoint find(Path logDir, Map<String, ?> identity, long totalSteps) {
        Optional<CheckpointRecord> last = new CheckpointLog(logDir).lastWithState();
        last.ifPresent(r -> requireSameRun(logDir, r, identity));
        long step = last.map(CheckpointRecord::step).orElse(0L);
        if (step > totalSteps) {
            throw new IllegalArgumentException("cannot resume from " + logDir + ": its last checkpoint is at step " + step
                    + ", past this run's " + totalSteps + " steps (raise maxSteps, epochs or steps, or use another logDir)");
        }
        return new ResumePoint(logDir, last, totalSteps);
    }

    /** The first step this run takes (0 for a fresh start). */
    public long step() {
        return checkpoint.map(CheckpointRecord::step).orElse(0L);
    }

    public boolean resumed() {
        return checkpoint.isPresent();
    }

    /** The log directory holds this run's final checkpoint (state and sampler weights): there is nothing left to do. */
    public boolean finished() {
        return checkpoint.filter(c -> c.isFinal() && c.step() == totalSteps && c.samplerPath() != null).isPresent();
    }

    private static void requireSameRun(Path logDir, CheckpointRecord last, Map<String, ?> identity) {
        for (var e : identity.entrySet()) {
            Object saved = last.extra().get(e.getKey());
            // a key the checkpoint lacks was not recorded by the run that wrote it: nothing to compare
            if (saved != null && !String.valueOf(saved).equals(String.valueOf(e.getValue()))) {
                throw new IllegalArgumentException("cannot resume from " + logDir + ": its checkpoints were made with "
                        + e.getKey() + "=" + saved + ", this run has " + e.getValue() + " (use another logDir to start afresh)");
            }
        }
    }
}
