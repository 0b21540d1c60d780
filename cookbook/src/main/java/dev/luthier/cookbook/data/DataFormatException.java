package dev.luthier.cookbook.data;

import java.nio.file.Path;

/** A data file that cannot be read as conversations; the message names the file and the line. */
public final class DataFormatException extends IllegalArgumentException {

    private final Path file;
    private final long line;

    public DataFormatException(Path file, long line, String problem) {
        super(file + ":" + line + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    /** The 1-based line of the problem (for a JSON array file, the line where the bad element starts). */
    public long line() {
        return line;
    }
}
