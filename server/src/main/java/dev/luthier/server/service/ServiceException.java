package dev.luthier.server.service;

/** A request the service refuses synchronously, with the HTTP status to answer. */
public final class ServiceException extends RuntimeException {
    private final int status;

    public ServiceException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ServiceException notFound(String what) {
        return new ServiceException(404, what + " not found");
    }

    public static ServiceException badRequest(String message) {
        return new ServiceException(400, message);
    }
}
