package dev.luthier.server.usage;

import dev.luthier.engine.sampler.SampleResult;
import dev.luthier.engine.sampler.SampledSequence;
import dev.luthier.server.storage.usage.UsageBucket;
import dev.luthier.server.storage.usage.UsageKind;
import dev.luthier.server.storage.usage.UsageRepository;
import dev.luthier.server.training.SaveResult;
import dev.luthier.server.training.TrainingOp;

import java.time.Clock;
import java.time.Instant;

/**
 * What finished work counts as usage, in the hour it finished:
 * <ul>
 *   <li>a forward_backward: its tokens (every datum's model input) as training tokens;</li>
 *   <li>a forward: its tokens as prefilled tokens (the same work as a sampler's prefill);</li>
 *   <li>a sample: its prompt once as prefilled tokens (all its samples share one prefill; none is a prefix-cache
 *       hit, as there is no prefix cache yet), and every generated token of every sample, stop tokens included, as
 *       sampled tokens;</li>
 *   <li>a named save (save_weights, save_weights_for_sampler with a path): one checkpoint. Unnamed sampler saves
 *       keep the adapter in memory and are not checkpoints.</li>
 * </ul>
 * Failed work counts nothing. Storage is metered separately ({@link UsageRepository#meterStorage}).
 */
public final class UsageMeter {
    private final UsageRepository usage;
    private final Clock clock;
    private volatile java.util.function.ObjLongConsumer<UsageKind> observer = (kind, n) -> { };

    public UsageMeter(UsageRepository usage, Clock clock) {
        this.usage = usage;
        this.clock = clock;
    }

    /** Also tells {@code observer} of every addition (metrics). */
    public void observe(java.util.function.ObjLongConsumer<UsageKind> observer) {
        this.observer = observer;
    }

    /** Whose usage it is: a tenant's training run or sampling session (the subject) on a base model. */
    public record Account(String tenantId, String sessionId, String subjectId, String baseModel) {
    }

    /** A training op finished successfully with {@code result}. */
    public void trainingOpDone(Account a, TrainingOp op, Object result) {
        Instant now = clock.instant();
        switch (op) {
            case TrainingOp.ForwardBackward fb -> add(a, now, fb.forwardOnly() ? UsageKind.SAMPLING_PREFILL : UsageKind.TRAINING,
                    fb.tokens());
            case TrainingOp.SaveState s -> add(a, now, UsageKind.CHECKPOINT, 1);
            case TrainingOp.SaveForSampler s -> {
                if (result instanceof SaveResult r && r.path() != null) {
                    add(a, now, UsageKind.CHECKPOINT, 1);
                }
            }
            default -> {
            }
        }
    }

    /** A sample of a prompt of {@code promptTokens} tokens finished. */
    public void sampled(Account a, int promptTokens, SampleResult result) {
        Instant now = clock.instant();
        long generated = 0;
        for (SampledSequence s : result.sequences()) {
            generated += s.tokens().length;
        }
        add(a, now, UsageKind.SAMPLING_PREFILL, promptTokens);
        add(a, now, UsageKind.SAMPLING_SAMPLE, generated);
    }

    private void add(Account a, Instant at, UsageKind kind, long quantity) {
        if (quantity > 0) {
            observer.accept(kind, quantity);
            usage.add(UsageBucket.count(at, a.tenantId(), a.sessionId(), a.subjectId(), a.baseModel(), kind, quantity));
        }
    }
}
