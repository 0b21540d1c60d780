package dev.luthier.engine.sampler;

/** One sample: its tokens, the log-probability of each under the untempered model, and why it stopped. */
public record SampledSequence(int[] tokens, float[] logprobs, StopReason stopReason) {
    public enum StopReason {
        /** A stop token or stop string was produced. */
        STOP,
        /** max_tokens (or the context) was reached. */
        LENGTH;

        public String wireName() {
            return this == STOP ? "stop" : "length";
        }
    }
}
