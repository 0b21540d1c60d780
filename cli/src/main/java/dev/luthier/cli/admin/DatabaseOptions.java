package dev.luthier.cli.admin;

import dev.luthier.server.storage.Storage;
import dev.luthier.server.storage.db.DatabaseSettings;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where a command finds the server's database: the data directory's SQLite file, or a JDBC URL. */
public final class DatabaseOptions {
    @Option(names = "--data", description = "the server's data directory (default ~/.luthier)")
    Path data;

    @Option(names = "--database", description = "a JDBC URL instead of the data directory's SQLite file, "
            + "e.g. jdbc:postgresql://host/db?user=luthier")
    String database;

    /** Opens (and migrates) the database; the caller closes it. */
    public Storage open() {
        Path dir = data != null ? data : Path.of(System.getProperty("user.home"), ".luthier");
        if (database == null && !java.nio.file.Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no data directory " + dir + " (give --data DIR or --database URL)");
        }
        return Storage.open(DatabaseSettings.of(database, dir));
    }
}
