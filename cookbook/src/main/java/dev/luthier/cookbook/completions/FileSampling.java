package dev.luthier.cookbook.completions;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.sampling.SampleResponse;
import dev.luthier.api.sampling.SampledSequence;
import dev.luthier.api.sampling.SamplingParams;
import dev.luthier.api.sampling.StopReason;
import dev.luthier.client.errors.LuthierException;
import dev.luthier.client.sampling.SamplingClient;
import dev.luthier.cookbook.progress.ProgressListener;
import dev.luthier.cookbook.renderers.Message;
import dev.luthier.cookbook.renderers.ParsedResponse;
import dev.luthier.cookbook.renderers.Renderer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Samples completions for every prompt of a prompts file ({@link PromptFile}) and writes them as JSONL, one line per
 * prompt in input order: the prompt's record with {@code "completions"} added, a list of {@code numSamples} objects
 * {@code {"text", "thinking"?, "tokens", "stop_reason", "logprob"?, "logprobs"?}}. {@code text} is the reply as the
 * renderer reads it back for a chat (stop sequence removed), or the decoded continuation, cut at the renderer's first
 * stop string or stop token, for a raw prompt; {@code tokens} are the sampled ids as the server reports them (a stop
 * token included); {@code logprobs} are their log-probabilities under the untempered model and {@code logprob} their sum.
 *
 * <p>Up to {@code maxInFlight} requests are submitted at once; the oldest is written as soon as it is done, and the
 * next prompt is submitted in its place. The lines go to a temporary file beside {@code out} that is moved onto it only
 * when every prompt has its completions: a failed run leaves {@code out} as it was.
 */
public final class FileSampling {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where samples come from: {@link SamplingClient#sample(ModelInput, int, SamplingParams)} or a test's stand-in. */
    @FunctionalInterface
    public interface Sampler {
        CompletableFuture<SampleResponse> sample(ModelInput prompt, int numSamples, SamplingParams params);
    }

    private final Sampler sampler;
    private final Renderer renderer;
    private final SamplingParams params;
    private final int numSamples;
    private final int maxInFlight;
    private final ProgressListener progress;

    public FileSampling(Sampler sampler, Renderer renderer, SamplingParams params, int numSamples, int maxInFlight,
                        ProgressListener progress) {
        if (numSamples < 1) {
            throw new IllegalArgumentException("the number of samples per prompt must be at least 1, got " + numSamples);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("the requests in flight must be at least 1, got " + maxInFlight);
        }
        this.sampler = sampler;
        this.renderer = renderer;
        this.params = params;
        this.numSamples = numSamples;
        this.maxInFlight = maxInFlight;
        this.progress = progress;
    }

    /** What a run wrote. */
    public record Summary(Path out, int prompts, int completions, long promptTokens, long sampledTokens, double seconds) {
    }

    /** Samples {@code prompts} (read from {@code source}, which errors name) and writes them to {@code out}. */
    public Summary run(Path source, List<FilePrompt> prompts, Path out) {
        long start = System.nanoTime();
        Path dir = out.toAbsolutePath().getParent();
        // not Files.createTempFile, whose owner-only permissions the output would keep
        Path tmp = dir.resolve("." + out.getFileName() + "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".tmp");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
        long promptTokens = 0;
        long sampledTokens = 0;
        progress.start("sample", prompts.size());
        try {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ArrayDeque<CompletableFuture<SampleResponse>> inFlight = new ArrayDeque<>();
                int submitted = 0;
                for (int done = 0; done < prompts.size(); done++) {
                    while (submitted < prompts.size() && inFlight.size() < maxInFlight) {
                        FilePrompt p = prompts.get(submitted++);
                        inFlight.add(sampler.sample(ModelInput.ofTokens(p.tokens()), numSamples, params));
                    }
                    FilePrompt p = prompts.get(done);
                    SampleResponse response = result(inFlight.removeFirst(), source, p);
                    if (response.sequences().size() != numSamples) {
                        throw new LuthierException(source + ":" + p.line() + ": the server returned "
                                + response.sequences().size() + " samples, " + numSamples + " were asked for");
                    }
                    ObjectNode line = p.record().deepCopy();
                    ArrayNode completions = line.putArray(PromptFile.COMPLETIONS);
                    for (SampledSequence s : response.sequences()) {
                        completions.add(completion(p, s));
                        sampledTokens += s.tokens().length;
                    }
                    promptTokens += p.tokens().length;
                    w.write(JSON.writeValueAsString(line));
                    w.newLine();
                    progress.advance(done + 1, sampledTokens + " tokens");
                }
            }
            move(tmp, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        } finally {
            progress.finish();
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort: the temporary file of a failed run is hidden and named after out
            }
        }
        return new Summary(out, prompts.size(), prompts.size() * numSamples, promptTokens, sampledTokens,
                (System.nanoTime() - start) / 1e9);
    }

    private static SampleResponse result(CompletableFuture<SampleResponse> f, Path source, FilePrompt p) {
        try {
            return f.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new LuthierException(source + ":" + p.line() + ": sampling failed: " + cause.getMessage(), cause);
        }
    }

    private ObjectNode completion(FilePrompt p, SampledSequence s) {
        ObjectNode c = JSON.createObjectNode();
        if (p.chat()) {
            ParsedResponse reply = renderer.parseResponse(s.tokens());
            Message m = reply.message();
            c.put("text", m.content());
            if (m.thinking() != null) {
                c.put("thinking", m.thinking());
            }
        } else {
            c.put("text", rawText(s));
        }
        ArrayNode tokens = c.putArray("tokens");
        for (int t : s.tokens()) {
            tokens.add(t);
        }
        c.put("stop_reason", s.stopReason().name().toLowerCase(Locale.ROOT));
        if (s.logprobs() != null) {
            double sum = 0;
            ArrayNode logprobs = JSON.createArrayNode();
            for (float l : s.logprobs()) {
                sum += l;
                logprobs.add(l);
            }
            c.put("logprob", sum);
            c.set("logprobs", logprobs);
        }
        return c;
    }

    /** A raw prompt's continuation as text, without the stop token or stop string that ended it. */
    private String rawText(SampledSequence s) {
        int[] ids = s.tokens();
        if (s.stopReason() == StopReason.STOP && ids.length > 0 && renderer.stopTokenIds().contains(ids[ids.length - 1])) {
            ids = Arrays.copyOf(ids, ids.length - 1);
        }
        String text = renderer.tokenizer().decode(ids);
        int cut = text.length();
        for (String stop : renderer.stopStrings()) {
            int at = text.indexOf(stop);
            if (at >= 0 && at < cut) {
                cut = at;
            }
        }
        return text.substring(0, cut);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
