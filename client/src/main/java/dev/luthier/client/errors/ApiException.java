package dev.luthier.client.errors;

/**
 * An HTTP call answered with a status the SDK does not retry (or kept failing past the retry budget): 400 bad
 * request, 401 bad key, 404 unknown model or checkpoint, ... {@link #detail()} is the server's explanation (the
 * {@code detail} of its JSON error body, or the raw body).
 */
public class ApiException extends LuthierException {
    private final int status;
    private final String detail;

    public ApiException(String what, int status, String detail) {
        super(what + " failed: HTTP " + status + (detail == null || detail.isEmpty() ? "" : " - " + detail));
        this.status = status;
        this.detail = detail;
    }

    public int status() {
        return status;
    }

    public String detail() {
        return detail;
    }
}
