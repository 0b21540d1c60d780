package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code {"rank": 32, "seed": 123?, "train_unembed": true, "train_mlp": true, "train_attn": true}}.
 * Missing fields take these defaults; a null seed is left out (the server picks one).
 */
public record LoraConfig(
    @JsonProperty("rank") Integer rank,
    @JsonProperty("seed") Long seed,
    @JsonProperty("train_unembed") Boolean trainUnembed,
    @JsonProperty("train_mlp") Boolean trainMlp,
    @JsonProperty("train_attn") Boolean trainAttn) {
  public static final int DEFAULT_RANK = 32;

  public LoraConfig {
    if (rank == null) rank = DEFAULT_RANK;
    if (trainUnembed == null) trainUnembed = true;
    if (trainMlp == null) trainMlp = true;
    if (trainAttn == null) trainAttn = true;
  }

  public static LoraConfig ofRank(int rank) {
    return new LoraConfig(rank, null, null, null, null);
  }

  /** False when every {@code train_*} flag is off (the SDK asserts against that client-side). */
  public boolean trainsSomething() {
    return trainUnembed || trainMlp || trainAttn;
  }
}
