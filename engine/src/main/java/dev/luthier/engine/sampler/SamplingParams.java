package dev.luthier.engine.sampler;

import java.util.List;

/**
 * Tinker's sampling parameters. {@code temperature} 0 is greedy; {@code topK} ≤ 0 means no limit; {@code seed}
 * null draws a random seed. Stops are token ids or strings (strings need a detokenizer).
 */
public record SamplingParams(int maxTokens, Long seed, List<Integer> stopTokens, List<String> stopStrings,
                             double temperature, int topK, double topP) {
    public SamplingParams {
        stopTokens = stopTokens == null ? List.of() : List.copyOf(stopTokens);
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
        if (maxTokens < 0) {
            throw new IllegalArgumentException("max_tokens must be >= 0, got " + maxTokens);
        }
        if (!(temperature >= 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("empty stop string");
            }
        }
    }

    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(maxTokens, 0L, List.of(), List.of(), 0, -1, 1);
    }

    public static SamplingParams of(int maxTokens, long seed, double temperature) {
        return new SamplingParams(maxTokens, seed, List.of(), List.of(), temperature, -1, 1);
    }
}
