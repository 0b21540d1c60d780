package dev.luthier.server.checkpoints;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** Checkpoint names and their directories under the data directory. */
public final class CheckpointPaths {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private CheckpointPaths() {
    }

    /** Checks a checkpoint name: letters, digits, '.', '_', '-', at most 128 characters, not '.' or '..'. */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid checkpoint name \"" + name
                    + "\": use 1-128 letters, digits, '.', '_' or '-'");
        }
        return name;
    }

    /** The run id made safe as a directory name (it contains ':'). */
    public static String runDirectory(String runId) {
        StringBuilder sb = new StringBuilder();
        for (byte b : runId.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.') {
                sb.append(c);
            } else {
                sb.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return sb.toString();
    }

    public static Path directory(Path root, String runId, CheckpointKind kind, String name) {
        return root.resolve(runDirectory(runId)).resolve(kind.pathSegment()).resolve(checkName(name));
    }
}
