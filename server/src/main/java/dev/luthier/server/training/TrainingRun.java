package dev.luthier.server.training;

import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraConfig;
import dev.luthier.engine.optim.AdamW;
import dev.luthier.server.ordering.SequencedQueue;

import java.time.Clock;
import java.util.Map;

/**
 * A training run ("model" in Tinker's API): a LoRA adapter on a base model, its optimizer, and its queue of
 * sequenced ops. The adapter and optimizer are created and used only on the base model's worker thread.
 */
public final class TrainingRun {
    private final String id;
    private final String sessionId;
    private final String baseModel;
    private final LoraConfig loraConfig;
    private final Map<String, String> userMetadata;
    private final SequencedQueue<TrainingOp> queue;
    private LoraAdapter adapter;
    private AdamW optimizer;

    public TrainingRun(String id, String sessionId, String baseModel, LoraConfig loraConfig, Map<String, String> userMetadata,
                       Clock clock) {
        this.id = id;
        this.sessionId = sessionId;
        this.baseModel = baseModel;
        this.loraConfig = loraConfig;
        this.userMetadata = userMetadata == null ? Map.of() : Map.copyOf(userMetadata);
        this.queue = new SequencedQueue<>(clock, 1);
    }

    public String id() {
        return id;
    }

    public String sessionId() {
        return sessionId;
    }

    public String baseModel() {
        return baseModel;
    }

    public LoraConfig loraConfig() {
        return loraConfig;
    }

    public Map<String, String> userMetadata() {
        return userMetadata;
    }

    public SequencedQueue<TrainingOp> queue() {
        return queue;
    }

    /** The adapter, or null until the worker has created it. */
    public LoraAdapter adapter() {
        return adapter;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public void attach(LoraAdapter adapter, AdamW optimizer) {
        this.adapter = adapter;
        this.optimizer = optimizer;
    }
}
