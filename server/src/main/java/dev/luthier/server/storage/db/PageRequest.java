package dev.luthier.server.storage.db;

/**
 * Which slice of a listing to return ({@code ?limit=&offset=} in the REST routes).
 *
 * @param offset rows to skip, at least 0
 * @param limit  rows to return, 1 to {@link #MAX_LIMIT}
 */
public record PageRequest(int offset, int limit) {
    public static final int MAX_LIMIT = 1000;

    public PageRequest {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, got " + offset);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
    }

    public static PageRequest of(int offset, int limit) {
        return new PageRequest(offset, limit);
    }

    public static PageRequest first(int limit) {
        return new PageRequest(0, limit);
    }
}
