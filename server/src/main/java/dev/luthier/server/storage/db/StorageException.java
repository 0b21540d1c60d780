package dev.luthier.server.storage.db;

import java.sql.SQLException;

/** A database failure, unchecked so that callers above the repositories need not handle {@link SQLException}. */
public class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }
}
