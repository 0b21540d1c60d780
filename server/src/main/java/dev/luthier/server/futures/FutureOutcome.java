package dev.luthier.server.futures;

/**
 * How a request ended: a result payload (encoded by the HTTP layer as JSON or protobuf), or a failure with the
 * protocol's {@code category} ({@code user} for the caller's mistakes, {@code server} for ours).
 */
public sealed interface FutureOutcome {
    record Success(Object payload) implements FutureOutcome {
    }

    record Failure(String message, Category category) implements FutureOutcome {
    }

    enum Category {
        USER, SERVER;

        public String wireName() {
            return name().toLowerCase();
        }
    }

    static FutureOutcome success(Object payload) {
        return new Success(payload);
    }

    static FutureOutcome userError(String message) {
        return new Failure(message, Category.USER);
    }

    static FutureOutcome serverError(String message) {
        return new Failure(message, Category.SERVER);
    }
}
