package dev.luthier.server.storage.futures;

/** Where a stored future stands. */
public enum FutureState {
    /** Submitted, not finished. */
    PENDING,
    /** Finished with a result payload. */
    DONE,
    /** Finished with an error message and category. */
    FAILED,
    /** Finished long enough ago that its payload was dropped; a poll answers 410 (promise lost). */
    EXPIRED;

    public String dbName() {
        return name().toLowerCase();
    }

    public static FutureState ofDbName(String name) {
        return valueOf(name.toUpperCase());
    }

    public boolean finished() {
        return this != PENDING;
    }
}
