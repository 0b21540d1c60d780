package dev.luthier.server.storage;

import dev.luthier.server.storage.db.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs the storage contracts against one kind of database. A subclass says how to open it and implements the
 * contract interfaces whose tests it wants; each test gets a fresh, migrated database.
 */
public abstract class StorageTestBase implements StorageFixture {
    /** Flyway reports every migration through java.util.logging; one line per test is noise here. */
    private static final java.util.logging.Logger FLYWAY_LOG = java.util.logging.Logger.getLogger("org.flywaydb");

    static {
        FLYWAY_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final List<Database> opened = new ArrayList<>();
    private Database db;

    /** Opens this test's database; within one test every call opens the same database. */
    protected abstract Database open();

    /** Called after the test's databases are closed, to drop what {@link #open} created. */
    protected void dispose() {
    }

    @BeforeEach
    void openDatabase() {
        db = track(open());
    }

    @AfterEach
    void closeDatabases() {
        for (Database d : opened.reversed()) {
            d.close();
        }
        opened.clear();
        dispose();
    }

    @Override
    public Database db() {
        return db;
    }

    @Override
    public Database reopen() {
        db.close();
        db = track(open());
        return db;
    }

    private Database track(Database d) {
        opened.add(d);
        return d;
    }
}
