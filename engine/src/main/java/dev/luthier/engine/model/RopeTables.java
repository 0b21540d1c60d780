package dev.luthier.engine.model;

import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.tensor.Tensor;

/**
 * Cosine and sine tables of rotary embeddings, {@code [positions, headDim/2]}, computed in float32 as Hugging Face
 * does ({@code inv_freq = 1/θ^(2i/D)} in float, angle {@code pos·inv_freq} in float), with Llama 3 scaling.
 */
public record RopeTables(Tensor cos, Tensor sin, int positions) {

    public static RopeTables create(ModelConfig config, int positions, Kernels kernels) {
        float[] invFreq = inverseFrequencies(config);
        int half = invFreq.length;
        float[] cos = new float[positions * half];
        float[] sin = new float[positions * half];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * invFreq[i];
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
        return new RopeTables(kernels.fromHost(cos, positions, half), kernels.fromHost(sin, positions, half), positions);
    }

    static float[] inverseFrequencies(ModelConfig config) {
        int dim = config.headDim();
        int half = dim / 2;
        float[] inv = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / dim;
            inv[i] = 1.0f / (float) Math.pow(config.ropeTheta(), exponent);
        }
        RopeScaling scaling = config.ropeScaling();
        if (scaling != null) {
            if (!"llama3".equals(scaling.type())) {
                throw new IllegalArgumentException("unsupported rope_scaling type " + scaling.type() + " (supported: llama3)");
            }
            double factor = scaling.factor();
            double low = scaling.lowFreqFactor();
            double high = scaling.highFreqFactor();
            double oldContext = scaling.originalMaxPositionEmbeddings();
            double lowFreqWavelen = oldContext / low;
            double highFreqWavelen = oldContext / high;
            for (int i = 0; i < half; i++) {
                float f = inv[i];
                double wavelen = 2 * Math.PI / f;
                float scaled = wavelen > lowFreqWavelen ? (float) (f / factor) : f;
                boolean medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
                if (medium) {
                    double smooth = (oldContext / wavelen - low) / (high - low);
                    scaled = (float) ((1 - smooth) * scaled / factor + smooth * scaled);
                }
                inv[i] = scaled;
            }
        }
        return inv;
    }
}
