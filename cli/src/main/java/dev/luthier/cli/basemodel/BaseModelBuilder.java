package dev.luthier.cli.basemodel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.cookbook.arithmetic.ArithmeticChat;
import dev.luthier.cookbook.arithmetic.PretrainingText;
import dev.luthier.cookbook.arithmetic.ProblemSplit;
import dev.luthier.cookbook.arithmetic.WordProblem;
import dev.luthier.cookbook.arithmetic.WorkedAnswerChecker;
import dev.luthier.cookbook.progress.ProgressListener;
import dev.luthier.cookbook.renderers.RoleColonRenderer;
import dev.luthier.engine.Engine;
import dev.luthier.engine.ExampleResult;
import dev.luthier.engine.TrainingExample;
import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.loss.CrossEntropyLoss;
import dev.luthier.engine.loss.LossInputs;
import dev.luthier.engine.model.FullFineTuning;
import dev.luthier.engine.model.HfModelWriter;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.ModelFamily;
import dev.luthier.engine.model.RandomModel;
import dev.luthier.engine.model.Transformer;
import dev.luthier.engine.optim.AdamParams;
import dev.luthier.engine.optim.AdamW;
import dev.luthier.engine.optim.ParameterSet;
import dev.luthier.engine.optim.StepResult;
import dev.luthier.engine.sampler.SampleRequest;
import dev.luthier.engine.sampler.Sampler;
import dev.luthier.engine.sampler.SamplingParams;
import dev.luthier.engine.tensor.DType;
import dev.luthier.engine.tokenizer.HfTokenizer;
import dev.luthier.engine.weights.TensorData;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Makes the demo's base model: learns a byte-level BPE tokenizer from the arithmetic corpus, pretrains a small Llama
 * from random weights on it by full fine-tuning (every weight trained, AdamW), and writes a Hugging Face model
 * directory ({@code config.json}, {@code model.safetensors}, {@code tokenizer.json}, {@code tokenizer_config.json})
 * into {@code DATA/models/<name>}, through a temporary directory renamed into place so that a killed build leaves
 * nothing half-written. A model already there is reused.
 */
public final class BaseModelBuilder {
    public static final String BOS = "<|begin_of_text|>";
    public static final String EOS = "<|end_of_text|>";
    /** Provenance of a built model: the spec, the pretraining loss and time, the accuracy in its own format. */
    public static final String PROVENANCE = "luthier_base_model.json";
    private static final String OWN_FORMAT_ACCURACY = "held_out_accuracy_in_pretraining_format";
    private static final int MAX_POSITIONS = 256;
    private static final int TOKENIZER_SAMPLE = 4000;
    private static final int PLAIN_EVAL_PROBLEMS = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    private BaseModelBuilder() {
    }

    /** The model directory and whether it was reused. */
    public record BaseModel(Path dir, boolean reused, double seconds) {
    }

    public static Path modelDir(Path dataDir, BaseModelSpec spec) {
        return dataDir.resolve("models").resolve(spec.name());
    }

    /** The base model in {@code DATA/models/<name>}, built first when it is not there. */
    public static BaseModel ensure(Path dataDir, BaseModelSpec spec, ProgressListener progress) throws IOException {
        Path dir = modelDir(dataDir, spec);
        if (isComplete(dir)) {
            return new BaseModel(dir, true, 0);
        }
        if (Files.exists(dir)) {
            throw new IOException(dir + " exists but is not a complete model directory (config.json, model.safetensors, "
                    + "tokenizer.json); remove it to rebuild the demo's base model");
        }
        long start = System.nanoTime();
        Files.createDirectories(dir.getParent());
        Path tmp = Files.createTempDirectory(dir.getParent(), "." + spec.name() + ".building-");
        try {
            build(tmp, spec, progress);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException | Error e) {
            deleteTree(tmp);
            throw e;
        }
        return new BaseModel(dir, false, (System.nanoTime() - start) / 1e9);
    }

    /**
     * The held-out accuracy in the pretraining format recorded when the model in {@code dir} was built, or NaN when
     * there is no record.
     */
    public static double ownFormatAccuracy(Path dir) throws IOException {
        Path file = dir.resolve(PROVENANCE);
        if (!Files.isRegularFile(file)) {
            return Double.NaN;
        }
        return JSON.readTree(file.toFile()).path(OWN_FORMAT_ACCURACY).asDouble(Double.NaN);
    }

    static boolean isComplete(Path dir) {
        return Stream.of("config.json", "model.safetensors", HfTokenizer.TOKENIZER_JSON)
                .allMatch(f -> Files.isRegularFile(dir.resolve(f)));
    }

    /** Builds the model into {@code dir} (which must exist). */
    static void build(Path dir, BaseModelSpec spec, ProgressListener progress) throws IOException {
        long start = System.nanoTime();
        List<WordProblem> problems = ProblemSplit.train(spec.steps() * spec.documents() * 3 / 4 + 1, spec.seed());
        List<String> documents = PretrainingText.documents(problems, spec.steps() * spec.documents(), spec.seed() + 1);
        writeTokenizer(dir, spec, documents, problems);
        try (HfTokenizer tokenizer = HfTokenizer.open(dir.resolve(HfTokenizer.TOKENIZER_JSON));
             Kernels kernels = new CpuKernels();
             Arena arena = Arena.ofShared()) {
            ModelConfig config = config(spec, tokenizer);
            FullFineTuning model = FullFineTuning.of(config,
                    RandomModel.weights(config, kernels, spec.seed(), 0.05, DType.F32, arena), kernels);
            Transformer transformer = new Transformer(config, model.weights(), kernels, MAX_POSITIONS);
            Engine engine = new Engine(transformer);
            AdamW optimizer = new AdamW(kernels);
            int bos = tokenizer.bosTokenId();
            int eos = tokenizer.eosTokenId();
            progress.start("pretraining the base model", spec.steps());
            double loss = Double.NaN;
            for (int step = 0; step < spec.steps(); step++) {
                List<TrainingExample> batch = new ArrayList<>(spec.documents());
                int targets = 0;
                List<int[]> sequences = new ArrayList<>();
                for (int d = 0; d < spec.documents(); d++) {
                    int[] body = tokenizer.encode(documents.get(step * spec.documents() + d), false);
                    int[] seq = new int[body.length + 2];
                    seq[0] = bos;
                    System.arraycopy(body, 0, seq, 1, body.length);
                    seq[seq.length - 1] = eos;
                    sequences.add(seq);
                    targets += seq.length - 1;
                }
                for (int[] seq : sequences) {
                    int[] input = java.util.Arrays.copyOf(seq, seq.length - 1);
                    int[] target = java.util.Arrays.copyOfRange(seq, 1, seq.length);
                    float[] weights = new float[target.length];
                    java.util.Arrays.fill(weights, 1f / targets);
                    batch.add(new TrainingExample(null, input, new CrossEntropyLoss(), LossInputs.crossEntropy(target, weights)));
                }
                List<ExampleResult> results = engine.forwardBackward(batch, true);
                StepResult stepResult = optimizer.apply(model, new AdamParams(learningRate(spec, step), 0.9, 0.95, 1e-8,
                        0.01, 1.0));
                loss = results.stream().mapToDouble(ExampleResult::loss).sum();
                progress.advance(step + 1, String.format("loss %.3f  grad norm %.2f", loss, stepResult.gradNorm()));
            }
            progress.finish();
            double plainAccuracy = plainFormatAccuracy(transformer, tokenizer, spec);
            HfModelWriter.write(dir, config, tensors(config, model, kernels));
            ObjectNode provenance = JSON.createObjectNode();
            provenance.set("spec", JSON.valueToTree(spec));
            provenance.put("parameters", parameterCount(model, kernels));
            provenance.put("final_loss", loss);
            provenance.put("pretraining_seconds", (System.nanoTime() - start) / 1e9);
            provenance.put(OWN_FORMAT_ACCURACY, plainAccuracy);
            Files.writeString(dir.resolve(PROVENANCE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(provenance));
        }
    }

    /** Linear warm-up, then cosine decay from the peak to a tenth of it. */
    static double learningRate(BaseModelSpec spec, int step) {
        if (step < spec.warmupSteps()) {
            return spec.learningRate() * (step + 1) / spec.warmupSteps();
        }
        double progress = (double) (step - spec.warmupSteps()) / Math.max(1, spec.steps() - spec.warmupSteps());
        return spec.learningRate() * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }

    private static void writeTokenizer(Path dir, BaseModelSpec spec, List<String> documents, List<WordProblem> problems)
            throws IOException {
        // The chat texts are part of what the tokenizer learns from, so that "User" and "Assistant" are single
        // tokens; the model itself never sees a conversation in pretraining.
        RoleColonRenderer chat = new RoleColonRenderer(null, null);
        List<String> sample = new ArrayList<>(documents.subList(0, Math.min(TOKENIZER_SAMPLE, documents.size())));
        for (WordProblem p : problems.subList(0, Math.min(100, problems.size()))) {
            sample.add(chat.render(ArithmeticChat.conversation(p), false) + "User:");
        }
        ByteLevelBpe bpe = ByteLevelBpe.train(sample, spec.bpeMerges(), List.of(BOS, EOS));
        Files.writeString(dir.resolve(HfTokenizer.TOKENIZER_JSON), JSON.writeValueAsString(bpe.tokenizerJson()));
        ObjectNode config = JSON.createObjectNode();
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        config.put("bos_token", BOS);
        config.put("eos_token", EOS);
        config.put("add_bos_token", false);
        config.put("clean_up_tokenization_spaces", false);
        config.put("model_max_length", MAX_POSITIONS);
        Files.writeString(dir.resolve(HfTokenizer.TOKENIZER_CONFIG), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
    }

    private static ModelConfig config(BaseModelSpec spec, HfTokenizer tokenizer) {
        return new ModelConfig(ModelFamily.LLAMA, tokenizer.vocabSize(), spec.hiddenSize(), spec.intermediateSize(),
                spec.layers(), spec.heads(), spec.heads(), spec.headDim(), 1e-5, 10000, null, MAX_POSITIONS, true,
                false, false, false, tokenizer.bosTokenId(), List.of(tokenizer.eosTokenId()), "float32", 0, 0, 0,
                false, 1, List.of());
    }

    /** Greedy answers to held-out problems in the pretraining format, checked by the chat checker. */
    private static double plainFormatAccuracy(Transformer model, HfTokenizer tokenizer, BaseModelSpec spec) {
        List<WordProblem> heldOut = ProblemSplit.heldOut(PLAIN_EVAL_PROBLEMS, spec.seed() + 7);
        Sampler sampler = new Sampler(model, 16, MAX_POSITIONS, ids -> tokenizer.decode(ids, false));
        List<SampleRequest> requests = new ArrayList<>();
        for (WordProblem p : heldOut) {
            int[] body = tokenizer.encode(PretrainingText.problemPrompt(p), false);
            int[] prompt = new int[body.length + 1];
            prompt[0] = tokenizer.bosTokenId();
            System.arraycopy(body, 0, prompt, 1, body.length);
            requests.add(new SampleRequest(null, prompt, new SamplingParams(16, 0L, List.of(tokenizer.eosTokenId()),
                    List.of("\n"), 0, -1, 1)));
        }
        var results = sampler.generate(requests);
        int correct = 0;
        for (int i = 0; i < heldOut.size(); i++) {
            String reply = tokenizer.decode(results.get(i).sequences().getFirst().tokens(), true);
            if (WorkedAnswerChecker.INSTANCE.correct(reply.split("\n", 2)[0], Integer.toString(heldOut.get(i).answer()))) {
                correct++;
            }
        }
        return (double) correct / heldOut.size();
    }

    private static Map<String, TensorData> tensors(ModelConfig config, FullFineTuning model, Kernels kernels) {
        Map<String, int[]> shapes = RandomModel.shapes(config);
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (ParameterSet.Entry e : model.parameters()) {
            int[] shape = shapes.get(e.name());
            if (shape == null) {
                throw new IllegalStateException("no Hugging Face shape for " + e.name());
            }
            long[] s = new long[shape.length];
            for (int i = 0; i < shape.length; i++) {
                s[i] = shape[i];
            }
            out.put(e.name(), TensorData.f32(kernels.toHost(e.value()), s));
        }
        return out;
    }

    private static long parameterCount(FullFineTuning model, Kernels kernels) {
        return model.parameters().stream().mapToLong(e -> e.value().size()).sum();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
