package dev.luthier.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.engine.model.HfModelWriter;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.ModelPresets;
import dev.luthier.server.LuthierServer;
import dev.luthier.server.ServerConfig;
import dev.luthier.server.models.WorkerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code luthier bench server}: an embedded server on loopback, driven over HTTP the way the SDK drives it.
 * Measures request overhead, many concurrent samples, and the benefit of packing several runs into one pass.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Request overhead, 2,000 concurrent samples, and 8 small runs packed vs 1 large run, over loopback HTTP.")
public final class ServerBench implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--preset", defaultValue = "tiny", description = "random model shape (default ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--model", description = "Hugging Face model directory instead of a preset")
    Path model;

    @Option(names = "--samples", defaultValue = "2000", description = "concurrent asample requests (default ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--steps", defaultValue = "3", description = "training steps per run in the packing test (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--json", description = "print one JSON object")
    boolean json;

    private HttpClient http;
    private String base;
    private int vocab;

    @Override
    public Integer call() throws Exception {
        Path data = Files.createTempDirectory("luthier-bench-server");
        Path modelDir = model;
        if (modelDir == null) {
            ModelConfig c = ModelPresets.get(preset);
            modelDir = data.resolve("model");
            HfModelWriter.writeRandom(modelDir, c, 1, 0.02);
        }
        vocab = dev.luthier.engine.model.HfConfigReader.read(modelDir.resolve("config.json")).vocabSize();
        ServerConfig config = ServerConfig.defaults(data).withPort("127.0.0.1", 0).withModels(Map.of("m", modelDir))
                .withWorkerOptions(new WorkerOptions(8192, 64, 1024, Duration.ofMinutes(2), 100_000),
                        Runtime.getRuntime().availableProcessors());
        ObjectNode out = JSON.createObjectNode();
        out.put("benchmark", "server");
        out.put("model", model != null ? model.toString() : "preset:" + preset);
        try (LuthierServer server = LuthierServer.start(config)) {
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Executors.newVirtualThreadPerTaskExecutor()).build();
            base = "http://127.0.0.1:" + server.port() + "/api/v1/";
            String session = post("create_session", "{\"tags\": [], \"sdk_version\": \"bench\"}").get("session_id").asText();
            overhead(session, out);
            concurrentSamples(session, out);
            packing(session, out);
        }
        System.out.println(json ? JSON.writeValueAsString(out) : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
        return 0;
    }

    private void overhead(String session, ObjectNode out) throws Exception {
        String m = createModel(session, 0);
        long[] ms = new long[60];
        long submitNanos = 0;
        for (int i = 0; i < ms.length; i++) {
            long start = System.nanoTime();
            HttpResponse<byte[]> submitted = raw("forward_backward", fwdBwd(m, seqs.merge(m, 1, Integer::sum), 1, 8, i));
            long submittedAt = System.nanoTime();
            result(submitted);
            ms[i] = System.nanoTime() - start;
            if (i >= 10) {
                submitNanos += submittedAt - start;
            }
        }
        out.put("tiny_forward_backward_submit_mean_ms", submitNanos / 50 / 1e6);
        long[] timed = Arrays.copyOfRange(ms, 10, ms.length);
        Arrays.sort(timed);
        out.put("tiny_forward_backward_p50_ms", timed[timed.length / 2] / 1e6);
        out.put("tiny_forward_backward_p99_ms", timed[(int) Math.ceil(timed.length * 0.99) - 1] / 1e6);
    }

    private void concurrentSamples(String session, ObjectNode out) throws Exception {
        String sampler = post("create_sampling_session", "{\"session_id\": \"" + session
                + "\", \"sampling_session_seq_id\": 0, \"base_model\": \"m\"}").get("sampling_session_id").asText();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger retried429 = new AtomicInteger();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < samples; i++) {
                final int n = i;
                fs.add(pool.submit(() -> {
                    try {
                        String body = "{\"sampling_session_id\": \"" + sampler + "\", \"seq_id\": " + n + ", \"num_samples\": 1,"
                                + " \"prompt\": {\"chunks\": [{\"tokens\": [1, 2, 3, " + (n % vocab) + "], \"type\": \"encoded_text\"}]},"
                                + " \"sampling_params\": {\"max_tokens\": 4, \"seed\": " + n + ", \"temperature\": 1.0}}";
                        HttpResponse<byte[]> r;
                        while ((r = raw("asample", body)).statusCode() == 429) {
                            retried429.incrementAndGet();
                            Thread.sleep(1000);
                        }
                        JsonNode res = result(r);
                        if (res.has("error") || res.get("sequences").size() != 1) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        if (errors.incrementAndGet() <= 3) {
                            System.err.println("sample " + n + " failed: " + e);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.put("concurrent_samples", samples);
        out.put("concurrent_samples_errors", errors.get());
        out.put("concurrent_samples_429_retries", retried429.get());
        out.put("concurrent_samples_seconds", seconds);
        out.put("concurrent_samples_tokens_per_second", samples * 4 / seconds);
    }

    /** 1 run with 2,048-token batches vs 8 runs with 256-token batches at once: aggregate training tokens/s. */
    private void packing(String session, ObjectNode out) throws Exception {
        String big = createModel(session, 1);
        runSteps(big, 4, 512, 1);
        long start = System.nanoTime();
        runSteps(big, 4, 512, steps);
        double oneRun = steps * 2048.0 / ((System.nanoTime() - start) / 1e9);

        List<String> runs = new ArrayList<>();
        for (int r = 0; r < 8; r++) {
            runs.add(createModel(session, 2 + r));
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> warm = new ArrayList<>();
            for (String r : runs) {
                warm.add(pool.submit(() -> runSteps(r, 1, 256, 1)));
            }
            for (Future<?> f : warm) {
                f.get();
            }
            start = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (String r : runs) {
                fs.add(pool.submit(() -> runSteps(r, 1, 256, steps)));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        double eightRuns = steps * 8 * 256.0 / ((System.nanoTime() - start) / 1e9);
        out.put("one_run_2048_token_batches_tokens_per_second", oneRun);
        out.put("eight_runs_256_token_batches_tokens_per_second", eightRuns);
        out.put("packing_ratio", eightRuns / oneRun);
    }

    private final java.util.Map<String, Integer> seqs = new java.util.concurrent.ConcurrentHashMap<>();

    private Void runSteps(String modelId, int sequences, int length, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            int fb = seqs.merge(modelId, 1, Integer::sum);
            HttpResponse<byte[]> f = raw("forward_backward", fwdBwd(modelId, fb, sequences, length, fb));
            int opt = seqs.merge(modelId, 1, Integer::sum);
            HttpResponse<byte[]> o = raw("optim_step", "{\"adam_params\": {\"learning_rate\": 0.0001}, \"model_id\": \""
                    + modelId + "\", \"seq_id\": " + opt + "}");
            result(f);
            result(o);
        }
        return null;
    }

    private String createModel(String session, int seq) throws Exception {
        String modelId = result(raw("create_model", "{\"session_id\": \"" + session + "\", \"model_seq_id\": " + seq
                + ", \"base_model\": \"m\", \"lora_config\": {\"rank\": 16, \"seed\": " + seq + "}}")).get("model_id").asText();
        seqs.put(modelId, 0);
        return modelId;
    }

    private String fwdBwd(String modelId, int seq, int sequences, int length, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder data = new StringBuilder();
        for (int s = 0; s < sequences; s++) {
            int[] tokens = r.ints(length + 1, 0, vocab).toArray();
            data.append(s == 0 ? "" : ",").append("{\"model_input\": {\"chunks\": [{\"type\": \"encoded_text\", \"tokens\": ")
                    .append(Arrays.toString(Arrays.copyOf(tokens, length))).append("}]}, \"loss_fn_inputs\": {\"target_tokens\": {\"data\": ")
                    .append(Arrays.toString(Arrays.copyOfRange(tokens, 1, length + 1))).append(", \"dtype\": \"int64\", \"shape\": [")
                    .append(length).append("]}}}");
        }
        return "{\"forward_backward_input\": {\"data\": [" + data + "], \"loss_fn\": \"cross_entropy\"}, \"model_id\": \""
                + modelId + "\", \"seq_id\": " + seq + "}";
    }

    private JsonNode post(String path, String body) throws Exception {
        HttpResponse<byte[]> r = raw(path, body);
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + new String(r.body()));
        }
        return JSON.readTree(r.body());
    }

    private HttpResponse<byte[]> raw(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("X-API-Key", "tml-bench")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private JsonNode result(HttpResponse<byte[]> submit) throws Exception {
        if (submit.statusCode() != 200) {
            throw new IllegalStateException("submit answered " + submit.statusCode() + ": " + new String(submit.body()));
        }
        String id = JSON.readTree(submit.body()).get("request_id").asText();
        while (true) {
            HttpResponse<byte[]> r = raw("retrieve_future", "{\"request_id\": \"" + id + "\", \"allow_metadata_only\": true}");
            if (r.statusCode() == 200) {
                JsonNode n = JSON.readTree(r.body());
                if (n.has("error")) {
                    throw new IllegalStateException("request failed: " + n);
                }
                return n;
            }
            if (r.statusCode() != 408) {
                throw new IllegalStateException("retrieve_future answered " + r.statusCode() + ": " + new String(r.body()));
            }
        }
    }
}
