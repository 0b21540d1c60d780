package dev.luthier.server.storage.db;

import java.util.List;
import java.util.function.Function;

/**
 * One slice of a listing and where it sits: the REST cursor {@code {"offset", "limit", "total_count"}}.
 *
 * @param totalCount rows in the whole listing, not just this slice
 */
public record Page<T>(List<T> items, int offset, int limit, long totalCount) {
    public Page {
        items = List.copyOf(items);
    }

    public static <T> Page<T> of(List<T> items, PageRequest request, long totalCount) {
        return new Page<>(items, request.offset(), request.limit(), totalCount);
    }

    public <R> Page<R> map(Function<? super T, ? extends R> f) {
        return new Page<>(items.stream().<R>map(f).toList(), offset, limit, totalCount);
    }

    /** Whether rows follow this slice. */
    public boolean hasMore() {
        return offset + items.size() < totalCount;
    }
}
