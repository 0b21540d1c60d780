package dev.luthier.cookbook.rl;

import dev.luthier.api.input.ModelInput;
import dev.luthier.api.sampling.Stop;

import java.util.Objects;

/**
 * What the policy sees before it acts: the tokens to continue and where its turn ends ({@code stop}: stop strings
 * or token ids, as the sampler takes them; null for none, leaving only {@code max_tokens}).
 */
public record Observation(ModelInput input, Stop stop) {
    public Observation {
        Objects.requireNonNull(input, "input");
    }

    /** The observation's token ids (RL environments are text only). */
    public int[] tokens() {
        return input.tokens();
    }
}
