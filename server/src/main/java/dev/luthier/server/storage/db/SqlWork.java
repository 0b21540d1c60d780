package dev.luthier.server.storage.db;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done with a connection inside {@link Database#read} or {@link Database#write}. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
