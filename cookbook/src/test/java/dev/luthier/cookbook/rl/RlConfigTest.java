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
                "learningRate", "4e-5", "klPenaltyCoef", "0.01", "clipHighThreshold", "1.3", "numSubsteps", "4"));
        assertThat(c.loss()).isEqualTo(RlConfig.Loss.PPO);
        assertThat(c.mode()).isEqualTo(RlConfig.Mode.ASYNC);
        assertThat(c.maxStaleness()).isEqualTo(3);
        assertThat(c.groupSize()).isEqualTo(16);
        assertThat(c.learningRate()).isEqualTo(4e-5);
        assertThat(c.numSubsteps()).isEqualTo(4);
        assertThat(c.lossFnConfig()).isEqualTo(Map.of("clip_low_threshold", 0.8, "clip_high_threshold", 1.3));
        assertThat(BASE.lossFnConfig()).isNull();
        assertThat(BASE.loss().wireName()).isEqualTo("importance_sampling");
    }

    /** The loss_fn_config keys and defaults of the wire spec's loss table (§10), spelled out on every request. */
    @Test
    void eachLossSendsItsOwnConfigKeys() {
        assertThat(BASE.with(Map.of("loss", "ppo")).lossFnConfig())
                .isEqualTo(Map.of("clip_low_threshold", 0.8, "clip_high_threshold", 1.2));
        assertThat(BASE.with(Map.of("loss", "cispo")).lossFnConfig())
                .isEqualTo(Map.of("clip_low_threshold", 0.0, "clip_high_threshold", 4.0));
        assertThat(BASE.with(Map.of("loss", "cispo", "clipLowThreshold", "0.5", "clipHighThreshold", "2")).lossFnConfig())
                .isEqualTo(Map.of("clip_low_threshold", 0.5, "clip_high_threshold", 2.0));
        RlConfig dro = BASE.with(Map.of("loss", "dro", "droBeta", "0.25"));
        assertThat(dro.loss().wireName()).isEqualTo("dro");
        assertThat(dro.lossFnConfig()).isEqualTo(Map.of("beta", 0.25));
        // Tinker does not document DRO's default β; 0.1 is what the spec's third-party reimplementation uses
        assertThat(BASE.with(Map.of("loss", "dro")).lossFnConfig()).isEqualTo(Map.of("beta", 0.1));
        assertThat(BASE.with(Map.of("loss", "cispo")).loss().wireName()).isEqualTo("cispo");
    }

    @Test
    void badSettingsAreRejected() {
        assertThatThrownBy(() -> BASE.with(Map.of("loss", "reinforce"))).hasMessageContaining("importance_sampling");
        assertThatThrownBy(() -> BASE.withGroups(0, 4)).hasMessageContaining("groupsPerBatch must be at least 1");
        assertThatThrownBy(() -> BASE.withLearningRate(-1)).hasMessageContaining("learningRate");
        assertThatThrownBy(() -> BASE.withKlPenalty(-0.1)).hasMessageContaining("klPenaltyCoef");
        assertThatThrownBy(() -> BASE.with(Map.of("loss", "ppo", "clipLowThreshold", "1.5")))
                .hasMessageContaining("0 ≤ clipLowThreshold ≤ 1 ≤ clipHighThreshold").hasMessageContaining("1.5");
        assertThatThrownBy(() -> BASE.with(Map.of("loss", "cispo", "clipHighThreshold", "0.5")))
                .hasMessageContaining("loss=cispo needs").hasMessageContaining("0.5");
        assertThatThrownBy(() -> BASE.with(Map.of("loss", "dro", "clipHighThreshold", "2")))
                .hasMessageContaining("apply to loss=ppo and loss=cispo, not loss=dro");
        assertThatThrownBy(() -> BASE.with(Map.of("clipLowThreshold", "0.9")))
                .hasMessageContaining("not loss=importance_sampling");
        assertThatThrownBy(() -> BASE.with(Map.of("loss", "ppo", "droBeta", "0.1")))
                .hasMessageContaining("droBeta applies to loss=dro, not loss=ppo");
        assertThatThrownBy(() -> BASE.with(Map.of("loss", "dro", "droBeta", "-1"))).hasMessageContaining("droBeta must be");
        assertThatThrownBy(() -> BASE.with(Map.of("loss", "dro", "droBeta", "x"))).hasMessageContaining("'droBeta'");
        assertThatThrownBy(() -> BASE.with(Map.of("numSubsteps", "0"))).hasMessageContaining("numSubsteps must be at least 1");
        assertThatThrownBy(() -> BASE.withMode(RlConfig.Mode.ASYNC, -1)).hasMessageContaining("maxStaleness");
    }
}
