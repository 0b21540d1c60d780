package dev.luthier.cookbook.rl;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RlConfig from key=value settings, its checks, and the loss config it sends. */
class RlConfigTest {
    static final RlConfig BASE = RlConfig.defaults("m", Path.of("runs/x"));

    @Test
    void settingsApplyByName() {
        RlConfig c = BASE.with(Map.of("loss", "ppo", "mode", "async", "maxStaleness", "3", "groupSize", "16",
                "learningRate", "4e-5", "klPenaltyCoef", "0.01", "ppoClipHigh", "1.3"));
        assertThat(c.loss()).isEqualTo(RlConfig.Loss.PPO);
        assertThat(c.mode()).isEqualTo(RlConfig.Mode.ASYNC);
        assertThat(c.maxStaleness()).isEqualTo(3);
        assertThat(c.groupSize()).isEqualTo(16);
        assertThat(c.learningRate()).isEqualTo(4e-5);
        assertThat(c.lossFnConfig()).isEqualTo(Map.of("clip_low_threshold", 0.8, "clip_high_threshold", 1.3));
        assertThat(BASE.lossFnConfig()).isNull();
        assertThat(BASE.loss().wireName()).isEqualTo("importance_sampling");
    }

    @Test
    void badSettingsAreRejected() {
        assertThatThrownBy(() -> BASE.with(Map.of("loss", "reinforce"))).hasMessageContaining("importance_sampling");
        assertThatThrownBy(() -> BASE.withGroups(0, 4)).hasMessageContaining("groupsPerBatch must be at least 1");
        assertThatThrownBy(() -> BASE.withLearningRate(-1)).hasMessageContaining("learningRate");
        assertThatThrownBy(() -> BASE.withKlPenalty(-0.1)).hasMessageContaining("klPenaltyCoef");
        assertThatThrownBy(() -> BASE.with(Map.of("ppoClipLow", "1.5"))).hasMessageContaining("ppoClipLow");
        assertThatThrownBy(() -> BASE.withMode(RlConfig.Mode.ASYNC, -1)).hasMessageContaining("maxStaleness");
    }
}
