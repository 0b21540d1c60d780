package dev.luthier.engine.lora;

/**
 * The two LoRA factors of one linear layer {@code W [out, in]}, row-major:
 * {@code y = x Wᵀ + scale · (x Aᵀ) Bᵀ}.
 *
 * @param a A, {@code [r, in]}
 * @param b B, {@code [out, r]}
 */
public record LoraPair(float[] a, int aRows, int aCols, float[] b, int bRows, int bCols) {

    public LoraPair {
        if (a.length != (long) aRows * aCols || b.length != (long) bRows * bCols) {
            throw new IllegalArgumentException("LoRA arrays do not match their shapes: A " + a.length + " vs ["
                    + aRows + ", " + aCols + "], B " + b.length + " vs [" + bRows + ", " + bCols + "]");
        }
        if (bCols != aRows) {
            throw new IllegalArgumentException("LoRA rank mismatch: A is [" + aRows + ", " + aCols + "], B is ["
                    + bRows + ", " + bCols + "]");
        }
    }

    public int rank() {
        return aRows;
    }

    public int inFeatures() {
        return aCols;
    }

    public int outFeatures() {
        return bRows;
    }
}
