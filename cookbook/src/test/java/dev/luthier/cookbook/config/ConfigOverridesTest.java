package dev.luthier.cookbook.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigOverridesTest {
    enum Schedule { CONSTANT, LINEAR_DECAY }

    record Config(String model, int batchSize, double learningRate, boolean evalAtStart, Path logDir,
                  Schedule schedule, Optional<Integer> maxSteps) {
        Config {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
            }
        }
    }

    private static final Config DEFAULTS = new Config("tiny", 8, 1e-4, false, Path.of("/tmp/a"), Schedule.CONSTANT, Optional.empty());

    @Test
    void parsesEveryKindOfSetting() {
        Config c = ConfigOverrides.apply(DEFAULTS, ConfigOverrides.parse(List.of(
                "batchSize=32", "learningRate=3e-4", "evalAtStart=true", "logDir=/x/y", "schedule=linear-decay", "maxSteps=7")));
        assertThat(c).isEqualTo(new Config("tiny", 32, 3e-4, true, Path.of("/x/y"), Schedule.LINEAR_DECAY, Optional.of(7)));
        assertThat(ConfigOverrides.apply(c, Map.of("maxSteps", "none")).maxSteps()).isEmpty();
        assertThat(ConfigOverrides.apply(DEFAULTS, Map.of())).isEqualTo(DEFAULTS);
    }

    @Test
    void unknownKeysAndBadValuesAreNamedErrors() {
        assertThatThrownBy(() -> ConfigOverrides.apply(DEFAULTS, Map.of("batch_size", "3")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch_size").hasMessageContaining("batchSize");
        assertThatThrownBy(() -> ConfigOverrides.apply(DEFAULTS, Map.of("batchSize", "many")))
                .hasMessageContaining("batchSize").hasMessageContaining("many");
        assertThatThrownBy(() -> ConfigOverrides.apply(DEFAULTS, Map.of("schedule", "cosine")))
                .hasMessageContaining("constant");
        assertThatThrownBy(() -> ConfigOverrides.apply(DEFAULTS, Map.of("batchSize", "0")))
                .hasMessageContaining("must be positive");
        assertThatThrownBy(() -> ConfigOverrides.parse(List.of("oops")))
                .hasMessageContaining("key=value");
    }

    @Test
    void describesSettingsInOrder() {
        assertThat(ConfigOverrides.describe(DEFAULTS).keySet())
                .containsExactly("model", "batchSize", "learningRate", "evalAtStart", "logDir", "schedule", "maxSteps");
        assertThat(ConfigOverrides.describe(DEFAULTS).get("schedule")).isEqualTo("constant");
    }
}
