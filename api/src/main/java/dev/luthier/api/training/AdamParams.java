package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code {"learning_rate": 1e-4, "beta1": 0.9, "beta2": 0.95, "eps": 1e-12, "weight_decay": 0.0,
 * "grad_clip_norm": 0.0}}: exact {@code torch.optim.AdamW} semantics (decoupled weight decay);
 * {@code grad_clip_norm} 0 means no clipping. A missing field takes the SDK default shown.
 */
public record AdamParams(
    @JsonProperty("learning_rate") double learningRate,
    @JsonProperty("beta1") double beta1,
    @JsonProperty("beta2") double beta2,
    @JsonProperty("eps") double eps,
    @JsonProperty("weight_decay") double weightDecay,
    @JsonProperty("grad_clip_norm") double gradClipNorm) {
  public static final double DEFAULT_LEARNING_RATE = 1e-4;
  public static final double DEFAULT_BETA1 = 0.9;
  public static final double DEFAULT_BETA2 = 0.95;
  public static final double DEFAULT_EPS = 1e-12;

  /** The SDK's defaults. */
  public static AdamParams defaults() {
    return new AdamParams(DEFAULT_LEARNING_RATE, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS, 0.0, 0.0);
  }

  /** Reads missing fields as defaults (Jackson calls this; nulls are not allowed for present keys). */
  @com.fasterxml.jackson.annotation.JsonCreator
  static AdamParams fromJson(
      @JsonProperty("learning_rate") Double learningRate,
      @JsonProperty("beta1") Double beta1,
      @JsonProperty("beta2") Double beta2,
      @JsonProperty("eps") Double eps,
      @JsonProperty("weight_decay") Double weightDecay,
      @JsonProperty("grad_clip_norm") Double gradClipNorm) {
    return new AdamParams(
        learningRate == null ? DEFAULT_LEARNING_RATE : learningRate,
        beta1 == null ? DEFAULT_BETA1 : beta1,
        beta2 == null ? DEFAULT_BETA2 : beta2,
        eps == null ? DEFAULT_EPS : eps,
        weightDecay == null ? 0.0 : weightDecay,
        gradClipNorm == null ? 0.0 : gradClipNorm);
  }

  /** These parameters with another learning rate. */
  public AdamParams withLearningRate(double lr) {
    return new AdamParams(lr, beta1, beta2, eps, weightDecay, gradClipNorm);
  }
}
