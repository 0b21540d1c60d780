package dev.luthier.engine.sampler;

import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.model.AdapterSegment;
import dev.luthier.engine.model.KvCache;
import dev.luthier.engine.model.PackedBatch;
import dev.luthier.engine.model.Transformer;
import dev.luthier.engine.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Continuous batching over a KV cache: requests join as slots free up (their prompts prefilled together), and every
 * {@link #step()} decodes one token for every running sample, whatever its request or adapter. Each sample draws
 * from its own random stream (seeded from the request's seed and the sample's index), so a request's tokens do not
 * depend on what else is in the batch.
 */
public final class Sampler {
    private final Transformer model;
    private final Kernels k;
    private final KvCache cache;
    private final Function<int[], String> detokenizer;
    private final Deque<Pending> waiting = new ArrayDeque<>();
    private final List<Running> running = new ArrayList<>();

    /**
     * @param slots        how many samples decode at once
     * @param maxLength    prompt plus generated tokens per sample
     * @param detokenizer  turns tokens into text for stop strings; null when the model has no tokenizer
     */
    public Sampler(Transformer model, int slots, int maxLength, Function<int[], String> detokenizer) {
        this.model = model;
        this.k = model.kernels();
        this.cache = new KvCache(model.config(), slots, Math.min(maxLength, model.maxPositions()), k);
        this.detokenizer = detokenizer;
    }

    /** A request (or a part of one: samples {@code firstSample...}) waiting for slots, with its resolved seed. */
    private record Pending(SampleRequest request, int firstSample, long seed, CompletableFuture<SampleResult> future) {
    }

    /** The samples of one request, filled in as they finish. */
    private static final class Group {
        final SampleRequest request;
        final CompletableFuture<SampleResult> future;
        final SampledSequence[] done;
        int remaining;
        float[] promptLogprobs;
        SampleResult.TokenLogprob[][] topk;

        final int firstSample;
        final long seed;

        Group(SampleRequest request, int firstSample, long seed, CompletableFuture<SampleResult> future) {
            this.request = request;
            this.firstSample = firstSample;
            this.seed = seed;
            this.future = future;
            this.done = new SampledSequence[request.numSamples()];
            this.remaining = request.numSamples();
        }
    }

    private static final class Running {
        final Group group;
        final int index;
        final int slot;
        final SplittableRandom random;
        final List<Integer> tokens = new ArrayList<>();
        final List<Float> logprobs = new ArrayList<>();

        Running(Group group, int index, int slot, SplittableRandom random) {
            this.group = group;
            this.index = index;
            this.slot = slot;
            this.random = random;
        }

        int last() {
            return tokens.getLast();
        }
    }

    /**
     * Queues a request; its future completes when all its samples have finished. A request for more samples than
     * the sampler has slots is queued as parts of at most that many samples (each prefills the prompt again); every
     * sample keeps the random stream of its index, so the result is the same as in one part.
     */
    public synchronized CompletableFuture<SampleResult> submit(SampleRequest request) {
        validate(request);
        long seed = request.params().seed() != null ? request.params().seed() : ThreadLocalRandom.current().nextLong();
        int per = cache.slots();
        if (request.numSamples() <= per) {
            CompletableFuture<SampleResult> future = new CompletableFuture<>();
            waiting.add(new Pending(request, 0, seed, future));
            return future;
        }
        List<CompletableFuture<SampleResult>> parts = new ArrayList<>();
        for (int first = 0; first < request.numSamples(); first += per) {
            int size = Math.min(per, request.numSamples() - first);
            boolean head = first == 0;
            SampleRequest part = new SampleRequest(request.adapter(), request.prompt(), request.params(), size,
                    head && request.promptLogprobs(), head ? request.topkPromptLogprobs() : 0);
            CompletableFuture<SampleResult> future = new CompletableFuture<>();
            waiting.add(new Pending(part, first, seed, future));
            parts.add(future);
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<SampledSequence> sequences = new ArrayList<>();
            for (CompletableFuture<SampleResult> part : parts) {
                sequences.addAll(part.join().sequences());
            }
            SampleResult head = parts.getFirst().join();
            return new SampleResult(sequences, head.promptLogprobs(), head.topkPromptLogprobs());
        });
    }

    /** Requests waiting for slots plus samples running. */
    public synchronized int load() {
        int n = running.size();
        for (Pending p : waiting) {
            n += p.request().numSamples();
        }
        return n;
    }

    public int capacity() {
        return cache.slots();
    }

    public synchronized boolean idle() {
        return waiting.isEmpty() && running.isEmpty();
    }

    /** Runs requests to completion (convenience for tools and tests). */
    public List<SampleResult> generate(List<SampleRequest> requests) {
        // Validate every request first, so that a bad one leaves none of the others queued.
        for (SampleRequest r : requests) {
            validate(r);
        }
        List<CompletableFuture<SampleResult>> futures = new ArrayList<>();
        for (SampleRequest r : requests) {
            futures.add(submit(r));
        }
        while (step()) {
            // keep stepping
        }
        return futures.stream().map(CompletableFuture::join).toList();
    }

    /** Admits what fits, then decodes one token for every running sample. Returns whether work remains. */
    public synchronized boolean step() {
        try {
            admit();
            if (!running.isEmpty()) {
                decode();
            }
        } catch (RuntimeException e) {
            failAll(e);
        }
        return !idle();
    }

    private void validate(SampleRequest r) {
        int vocab = model.config().vocabSize();
        for (int t : r.prompt()) {
            if (t < 0 || t >= vocab) {
                throw new IllegalArgumentException("prompt token id " + t + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        for (int t : r.params().stopTokens()) {
            if (t < 0 || t >= vocab) {
                throw new IllegalArgumentException("stop token id " + t + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        if (!r.params().stopStrings().isEmpty() && detokenizer == null) {
            throw new IllegalArgumentException("stop strings need a tokenizer, and this model has none; use stop token ids");
        }
        if (r.prompt().length + Math.max(r.params().maxTokens(), 1) > cache.maxLength()) {
            throw new IllegalArgumentException("prompt (" + r.prompt().length + " tokens) plus max_tokens ("
                    + r.params().maxTokens() + ") exceeds the context of " + cache.maxLength() + " tokens");
        }
    }

    private void admit() {
        List<Group> admitted = new ArrayList<>();
        List<int[]> slots = new ArrayList<>();
        while (!waiting.isEmpty() && cache.freeSlots() >= waiting.peek().request().numSamples()) {
            Pending p = waiting.poll();
            admitted.add(new Group(p.request(), p.firstSample(), p.seed(), p.future()));
            int[] groupSlots = new int[p.request().numSamples()];
            for (int s = 0; s < groupSlots.length; s++) {
                groupSlots[s] = cache.acquire();
            }
            slots.add(groupSlots);
        }
        if (admitted.isEmpty()) {
            return;
        }
        List<PackedBatch.Sequence> seqs = new ArrayList<>();
        for (int i = 0; i < admitted.size(); i++) {
            seqs.add(new PackedBatch.Sequence(admitted.get(i).request.prompt(), admitted.get(i).request.adapter(), 0, slots.get(i)[0]));
        }
        PackedBatch batch = PackedBatch.of(seqs);
        Tensor hidden = model.forward(batch, cache);

        for (int i = 0; i < admitted.size(); i++) {
            Group g = admitted.get(i);
            int start = batch.seqStart()[i];
            int n = batch.seqLen()[i];
            LoraAdapter adapter = g.request.adapter();
            List<AdapterSegment> one = List.of(new AdapterSegment(0, n, adapter));
            if (g.request.promptLogprobs() || g.request.topkPromptLogprobs() > 0) {
                promptLogprobs(g, hidden.rowSlice(start, start + n), one);
            }
            Tensor lastLogits = model.head().logits(hidden.rowSlice(start + n - 1, start + n),
                    List.of(new AdapterSegment(0, 1, adapter)));
            float[] logits = k.toHost(lastLogits);
            int firstSlot = slots.get(i)[0];
            for (int s = 0; s < g.request.numSamples(); s++) {
                int slot = slots.get(i)[s];
                if (s > 0) {
                    cache.copySlot(firstSlot, slot, k);
                }
                Running r = new Running(g, s, slot, new SplittableRandom(g.seed + 0x9E3779B97F4A7C15L * (g.firstSample + s)));
                if (g.request.params().maxTokens() == 0) {
                    finish(r, SampledSequence.StopReason.LENGTH);
                    continue;
                }
                accept(r, TokenChooser.choose(logits, g.request.params(), r.random));
            }
        }
    }

    private void promptLogprobs(Group g, Tensor hidden, List<AdapterSegment> segments) {
        int[] prompt = g.request.prompt();
        int n = prompt.length;
        float[] lp = new float[n];
        lp[0] = Float.NaN;
        if (n > 1) {
            int[] targets = Arrays.copyOfRange(prompt, 1, n);
            float[] got = model.head().targetLogprobs(hidden.rowSlice(0, n - 1),
                    List.of(new AdapterSegment(0, n - 1, segments.getFirst().adapter())), targets, 1, null, null);
            System.arraycopy(got, 0, lp, 1, n - 1);
        }
        g.promptLogprobs = lp;
        int topk = g.request.topkPromptLogprobs();
        if (topk > 0) {
            SampleResult.TokenLogprob[][] out = new SampleResult.TokenLogprob[n][];
            int chunk = model.head().chunkRows();
            for (int r0 = 0; r0 < n - 1; r0 += chunk) {
                int r1 = Math.min(n - 1, r0 + chunk);
                Tensor logits = model.head().logits(hidden.rowSlice(r0, r1),
                        List.of(new AdapterSegment(0, r1 - r0, segments.getFirst().adapter())));
                float[] host = k.toHost(logits);
                int vocab = model.config().vocabSize();
                for (int r = r0; r < r1; r++) {
                    float[] row = Arrays.copyOfRange(host, (r - r0) * vocab, (r - r0 + 1) * vocab);
                    double lse = TokenChooser.logSumExp(row, 1.0);
                    int[] best = TokenChooser.topK(row, topk);
                    SampleResult.TokenLogprob[] entries = new SampleResult.TokenLogprob[best.length];
                    for (int j = 0; j < best.length; j++) {
                        entries[j] = new SampleResult.TokenLogprob(best[j], (float) (row[best[j]] - lse));
                    }
                    out[r + 1] = entries;
                }
            }
            g.topk = out;
        }
    }

    private void decode() {
        running.sort(Comparator.comparingInt(r -> System.identityHashCode(r.group.request.adapter())));
        List<PackedBatch.Sequence> seqs = new ArrayList<>(running.size());
        for (Running r : running) {
            seqs.add(new PackedBatch.Sequence(new int[]{r.last()}, r.group.request.adapter(), cache.length(r.slot), r.slot));
        }
        PackedBatch batch = PackedBatch.of(seqs);
        Tensor hidden = model.forward(batch, cache);
        Tensor logits = model.head().logits(hidden, batch.segments());
        // The log-sum-exp of each row (for the reported logprob) comes from the kernels; only greedy-or-sampled
        // choices run on the host.
        Tensor lse = k.allocate(logits.rows(), 1);
        k.logSumExpRows(logits, lse);
        float[] lseHost = k.toHost(lse);
        float[] host = k.toHost(logits);
        int vocab = model.config().vocabSize();
        List<Running> current = new ArrayList<>(running);
        for (int i = 0; i < current.size(); i++) {
            Running r = current.get(i);
            float[] row = Arrays.copyOfRange(host, i * vocab, (i + 1) * vocab);
            accept(r, TokenChooser.choose(row, lseHost[i], r.group.request.params(), r.random));
        }
    }

    /** Records a chosen token and finishes the sample if it stops; otherwise keeps it running. */
    private void accept(Running r, TokenChooser.Choice choice) {
        r.tokens.add(choice.token());
        r.logprobs.add(choice.logprob());
        SamplingParams p = r.group.request.params();
        if (p.stopTokens().contains(choice.token()) || hitsStopString(r, p)) {
            finish(r, SampledSequence.StopReason.STOP);
        } else if (r.tokens.size() >= p.maxTokens() || cache.length(r.slot) >= cache.maxLength()) {
            finish(r, SampledSequence.StopReason.LENGTH);
        } else if (!running.contains(r)) {
            running.add(r);
        }
    }

    private boolean hitsStopString(Running r, SamplingParams p) {
        if (p.stopStrings().isEmpty()) {
            return false;
        }
        String text = detokenizer.apply(r.tokens.stream().mapToInt(Integer::intValue).toArray());
        for (String stop : p.stopStrings()) {
            if (text.contains(stop)) {
                return true;
            }
        }
        return false;
    }

    private void finish(Running r, SampledSequence.StopReason reason) {
        running.remove(r);
        cache.release(r.slot);
        int[] tokens = r.tokens.stream().mapToInt(Integer::intValue).toArray();
        float[] lps = new float[r.logprobs.size()];
        for (int i = 0; i < lps.length; i++) {
            lps[i] = r.logprobs.get(i);
        }
        Group g = r.group;
        g.done[r.index] = new SampledSequence(tokens, lps, reason);
        if (--g.remaining == 0) {
            g.future.complete(new SampleResult(List.of(g.done), g.promptLogprobs, g.topk));
        }
    }

    private void failAll(RuntimeException e) {
        for (Running r : running) {
            cache.release(r.slot);
            r.group.future.completeExceptionally(e);
        }
        running.clear();
        for (Pending p : waiting) {
            p.future().completeExceptionally(e);
        }
        waiting.clear();
    }
}
