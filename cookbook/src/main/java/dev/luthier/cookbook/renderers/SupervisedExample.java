package dev.luthier.cookbook.renderers;

/**
 * A conversation as tokens with one loss weight per token (0 or 1): the weight says whether the model should
 * learn to produce that token. Datum builders shift these into inputs and targets.
 */
public record SupervisedExample(int[] tokens, float[] weights) {

    public SupervisedExample {
        if (tokens.length != weights.length) {
            throw new IllegalArgumentException(tokens.length + " tokens but " + weights.length + " weights");
        }
    }

    public int length() {
        return tokens.length;
    }

    /** The tokens whose weight is positive, in order. */
    public int[] weightedTokens() {
        int n = 0;
        for (float w : weights) {
            if (w > 0) {
                n++;
            }
        }
        int[] out = new int[n];
        int j = 0;
        for (int i = 0; i < tokens.length; i++) {
            if (weights[i] > 0) {
                out[j++] = tokens[i];
            }
        }
        return out;
    }
}
