package dev.luthier.client.sampling;

import dev.luthier.api.future.UntypedApiFuture;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.json.WireJson;
import dev.luthier.api.sampling.SampleRequest;
import dev.luthier.api.sampling.SampleResponse;
import dev.luthier.api.sampling.SamplerInfo;
import dev.luthier.api.sampling.SamplingParams;
import dev.luthier.api.sampling.TokenLogprob;
import dev.luthier.client.errors.ApiException;
import dev.luthier.client.errors.FutureLostException;
import dev.luthier.client.errors.LuthierException;
import dev.luthier.client.http.HttpResult;
import dev.luthier.client.http.HttpTransport;
import dev.luthier.client.http.RetryPolicy;
import dev.luthier.client.http.Retrying;
import dev.luthier.client.session.ClientRuntime;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples from a base model or a saved adapter (Python's {@code SamplingClient}). Samples are not ordered: each call
 * runs on its own. A 429 from {@code asample} is backpressure: the sample waits (1 s by default) and is resent with
 * the same seq_id; a lost result (410) is resubmitted under a new seq_id.
 */
public final class SamplingClient {
    private static final int RESUBMITS = 3;
    private final ClientRuntime rt;
    private final String samplingSessionId;
    private final AtomicLong seq = new AtomicLong();

    public SamplingClient(ClientRuntime runtime, String samplingSessionId) {
        this.rt = runtime;
        this.samplingSessionId = samplingSessionId;
    }

    public String samplingSessionId() {
        return samplingSessionId;
    }

    /** {@code numSamples} continuations of {@code prompt}. */
    public CompletableFuture<SampleResponse> sample(ModelInput prompt, int numSamples, SamplingParams params) {
        return sample(prompt, numSamples, params, false, 0);
    }

    /**
     * As {@link #sample(ModelInput, int, SamplingParams)}, optionally with the prompt's log-probabilities and, for
     * {@code topkPromptLogprobs > 0}, the top-k candidates at every prompt position.
     */
    public CompletableFuture<SampleResponse> sample(ModelInput prompt, int numSamples, SamplingParams params,
                                                    boolean includePromptLogprobs, int topkPromptLogprobs) {
        if (numSamples < 1) {
            throw new IllegalArgumentException("numSamples must be at least 1");
        }
        return CompletableFuture.supplyAsync(() -> {
            for (int attempt = 0; ; attempt++) {
                SampleRequest req = new SampleRequest(samplingSessionId, seq.getAndIncrement(), numSamples, prompt, params,
                        includePromptLogprobs, topkPromptLogprobs, null, null);
                String id = submit(req);
                try {
                    return rt.poller().poll(id, "Sample", SampleResponse.class).join();
                } catch (CompletionException e) {
                    if (e.getCause() instanceof FutureLostException && attempt < RESUBMITS) {
                        continue;
                    }
                    throw e;
                }
            }
        }, rt.executor());
    }

    /**
     * The log-probability of every prompt token under the model (a sample of one token with prompt logprobs); the
     * first entry has no value and is NaN.
     */
    public CompletableFuture<float[]> computeLogprobs(ModelInput prompt) {
        return sample(prompt, 1, SamplingParams.ofMaxTokens(1), true, 0).thenApply(r -> {
            if (r.promptLogprobs() == null) {
                throw new LuthierException("the server returned no prompt_logprobs");
            }
            return r.promptLogprobs();
        });
    }

    /** The top-{@code k} (token, logprob) candidates at each prompt position; null rows where there are none (the first). */
    public CompletableFuture<List<List<TokenLogprob>>> topkPromptLogprobs(ModelInput prompt, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1");
        }
        return sample(prompt, 1, SamplingParams.ofMaxTokens(1), true, k).thenApply(r -> {
            if (r.topkPromptLogprobs() == null) {
                throw new LuthierException("the server returned no topk_prompt_logprobs");
            }
            return r.topkPromptLogprobs();
        });
    }

    /** The sampler's base model and checkpoint path. */
    public SamplerInfo getInfo() {
        return rt.send("GET", "samplers/" + samplingSessionId, null, null).json(SamplerInfo.class);
    }

    /** Posts a sample: 429 waits and resends the same seq_id (no time limit: it is the server's pacing); other transient failures back off within the retry budget. */
    private String submit(SampleRequest req) {
        byte[] body = WireJson.write(req);
        RetryPolicy policy = rt.options().retry();
        long start = System.nanoTime();
        int failures = 0;
        while (true) {
            HttpResult r;
            try {
                r = rt.transport().send("POST", "asample", body, HttpTransport.JSON, rt.options().requestTimeout(),
                        "X-Tinker-Sampling-Backpressure", "1");
            } catch (IOException e) {
                if (!sleep(policy, failures++, start)) {
                    throw new LuthierException("POST asample failed: " + Retrying.describe(e), e);
                }
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw Retrying.cancelled("POST asample");
            }
            if (r.ok()) {
                return r.json(UntypedApiFuture.class).requestId();
            }
            if (r.status() == 429) {
                try {
                    Thread.sleep(rt.options().sampleBackpressureWait());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw Retrying.cancelled("POST asample");
                }
                continue;
            }
            if (!RetryPolicy.retryableStatus(r.status()) || !sleep(policy, failures++, start)) {
                throw new ApiException("POST asample", r.status(), r.detail());
            }
        }
    }

    private static boolean sleep(RetryPolicy policy, int attempt, long startNanos) {
        var d = policy.delay(attempt);
        if (System.nanoTime() - startNanos + d.toNanos() > policy.budget().toNanos()) {
            return false;
        }
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Retrying.cancelled("POST asample");
        }
        return true;
    }

    @Override
    public String toString() {
        return "SamplingClient[" + samplingSessionId + "]";
    }
}
