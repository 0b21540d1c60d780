package dev.luthier.cookbook.sft;

import dev.luthier.cookbook.config.ConfigOverrides;

import java.util.Map;

/** Small config edits for the tests (through {@link ConfigOverrides}, as the command line makes them). */
final class SftConfigEdits {
    private SftConfigEdits() {
    }

    static SftConfig schedule(SftConfig c, ScheduleKind kind, int warmup) {
        return ConfigOverrides.apply(c, Map.of("schedule", kind.name(), "warmupSteps", Integer.toString(warmup)));
    }

    static SftConfig steps(SftConfig c, int maxSteps, int saveEvery) {
        return ConfigOverrides.apply(c, Map.of("maxSteps", Integer.toString(maxSteps), "saveEvery", Integer.toString(saveEvery)));
    }

    static SftConfig batch(SftConfig c, int batchSize) {
        return ConfigOverrides.apply(c, Map.of("batchSize", Integer.toString(batchSize)));
    }
}
