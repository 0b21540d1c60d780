package dev.luthier.engine.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the read-only reference data in {@code ../shared}; tests skip when a file is absent. */
public final class SharedData {

    private SharedData() {
    }

    public static Path root() {
        return Path.of(System.getProperty("luthier.shared", "../shared")).toAbsolutePath().normalize();
    }

    /** The path of {@code relative} under shared/, skipping the calling test when it does not exist. */
    public static Path require(String relative) {
        Path p = root().resolve(relative);
        Assumptions.assumeTrue(Files.exists(p), "reference data missing: " + p
                + " (tests read ../shared; set -Dluthier.shared to its location)");
        return p;
    }
}
