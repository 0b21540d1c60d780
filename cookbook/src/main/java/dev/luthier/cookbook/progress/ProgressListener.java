package dev.luthier.cookbook.progress;

/**
 * How a long-running recipe reports where it is. The CLI shows it as a progress bar with rate and ETA; tests and
 * library users pass {@link #NONE}.
 */
public interface ProgressListener {
    ProgressListener NONE = new ProgressListener() {
        @Override
        public void start(String task, long total) {
        }

        @Override
        public void advance(long done, String status) {
        }

        @Override
        public void finish() {
        }
    };

    /** A new task begins with {@code total} units of work (steps, problems); 0 when unknown. */
    void start(String task, long total);

    /** {@code done} units of the current task are complete; {@code status} is a short line such as "loss 1.23". */
    void advance(long done, String status);

    /** The current task is over. */
    void finish();
}
