package dev.luthier.engine.kernels.cpu;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Asks HotSpot's JIT to always inline some methods, through a compiler directive added at run time (what
 * {@code jcmd PID Compiler.directives_add FILE} does), so no JVM flag is needed.
 * <p>
 * A helper that takes or returns a vector must be inlined into its caller: otherwise the vector is boxed at the call
 * and its operations fall back to Java loops, about a hundred times slower. Small helpers inline by themselves, but
 * the deterministic mode's {@link VectorOps#polyExp} is too large for the JIT's size limits and, once compiled on its
 * own, is refused as "already compiled into a big method" (measured: SwiGLU 60x slower, the demo's training step 8x).
 */
final class ForcedInlining {
    private static final Logger LOG = Logger.getLogger(ForcedInlining.class.getName());

    private ForcedInlining() {
    }

    /**
     * Forces inlining of the methods matching {@code pattern} into the kernels (HotSpot's form, e.g.
     * {@code dev/luthier/engine/kernels/cpu/VectorOps.*}); returns whether the JVM took it.
     */
    static boolean install(String pattern) {
        Path file = null;
        try {
            file = Files.createTempFile("luthier-inline", ".json");
            Files.writeString(file, "[{ match: \"dev/luthier/engine/kernels/cpu/*.*\", inline: [\"+" + pattern + "\"] }]", StandardCharsets.UTF_8);
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            Object reply = server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
                    new Object[]{new String[]{file.toString()}}, new String[]{String[].class.getName()});
            String text = String.valueOf(reply);
            boolean ok = !text.toLowerCase().contains("error") && !text.toLowerCase().contains("fail");
            if (!ok) {
                LOG.warning("the JIT did not take the inlining directive for " + pattern + ": " + text.strip());
            }
            return ok;
        } catch (Exception | LinkageError e) {
            LOG.log(Level.WARNING, "cannot add the JIT inlining directive for " + pattern
                    + " (the deterministic kernels may run much slower): " + e);
            return false;
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temporary file left behind
                }
            }
        }
    }
}
