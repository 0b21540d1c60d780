package dev.luthier.engine.model;

import dev.luthier.engine.tensor.Tensor;

/** What one decoder layer's forward keeps for its backward. */
final class LayerActivations {
    Tensor input;            // residual stream entering the layer [T, D]
    Tensor inputRstd;        // [T, 1]
    Tensor normedInput;      // [T, D]
    Tensor qPreNorm;         // [T, qDim] (only with q/k norm)
    Tensor kPreNorm;         // [T, kvDim] (only with q/k norm)
    Tensor qRstd;            // [T*H, 1]
    Tensor kRstd;            // [T*KVH, 1]
    Tensor q;                // after norm and rope [T, qDim]
    Tensor k;                // after norm and rope [T, kvDim]
    Tensor v;                // [T, kvDim]
    Tensor attention;        // [T, qDim]
    Tensor lse;              // [T, H]
    Tensor middle;           // residual after attention [T, D]
    Tensor middleRstd;       // [T, 1]
    Tensor normedMiddle;     // [T, D]
    Tensor gate;             // [T, I]
    Tensor up;               // [T, I]
    Tensor hidden;           // swiglu(gate, up) [T, I]
    MoeMlp.Saved moe;        // mixture-of-experts layers only
    Tensor[] loraQ, loraK, loraV, loraO, loraGate, loraUp, loraDown;
}
