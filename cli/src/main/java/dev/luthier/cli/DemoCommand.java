package dev.luthier.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.engine.Engine;
import dev.luthier.engine.ExampleResult;
import dev.luthier.engine.TrainingExample;
import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraConfig;
import dev.luthier.engine.loss.CrossEntropyLoss;
import dev.luthier.engine.loss.LossInputs;
import dev.luthier.engine.model.LoadedModel;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.ModelFamily;
import dev.luthier.engine.model.RandomModel;
import dev.luthier.engine.model.Transformer;
import dev.luthier.engine.optim.AdamParams;
import dev.luthier.engine.optim.AdamW;
import dev.luthier.engine.optim.StepResult;
import dev.luthier.engine.sampler.SampleRequest;
import dev.luthier.engine.sampler.Sampler;
import dev.luthier.engine.sampler.SamplingParams;
import dev.luthier.engine.tensor.DType;
import dev.luthier.engine.tokenizer.HfTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code luthier demo}: the engine's loop end to end on a laptop. It teaches a LoRA adapter a new continuation of a
 * prompt with supervised fine-tuning (cross-entropy on the completion only, AdamW), then samples greedily before
 * and after. It uses the real pretrained stories260K from ../shared when present, else a random model built in memory.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Teach a LoRA adapter a new continuation with SFT, then sample before and after.")
public final class DemoCommand implements Callable<Integer> {
    private static final String PROMPT = "Once upon a time, there was a";
    private static final String COMPLETION = " robot named Luthier. He made violins for all the animals in the forest.";

    @Option(names = "--model", description = "Hugging Face model directory (default: ../shared/models/stories260K, else a random model)")
    Path model;

    @Option(names = "--steps", defaultValue = "40", description = "training steps (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--json", description = "end with one JSON object of the results")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Path dir = model != null ? model : Path.of(System.getProperty("luthier.shared", "../shared"), "models", "stories260K");
        CpuKernels kernels = new CpuKernels();
        LoadedModel loaded = null;
        Arena arena = Arena.ofShared();
        HfTokenizer tokenizer = null;
        try {
            Transformer transformer;
            String modelName;
            if (Files.isRegularFile(dir.resolve("config.json"))) {
                loaded = LoadedModel.load(dir, kernels, 0);
                transformer = loaded.transformer();
                modelName = dir.toString();
                Optional<HfTokenizer> t = HfTokenizer.load(dir);
                tokenizer = t.orElse(null);
            } else {
                if (model != null) {
                    throw new IllegalArgumentException(dir + " has no config.json");
                }
                ModelConfig c = ModelConfig.dense(ModelFamily.LLAMA, 512, 128, 384, 4, 4, 2, 32, 10000, true);
                transformer = new Transformer(c, RandomModel.weights(c, kernels, 1, 0.05, DType.F32, arena), kernels, 256);
                modelName = "random llama (dim 128, 4 layers; ../shared/models/stories260K not found)";
            }
            int[] prompt;
            int[] completion;
            if (tokenizer != null) {
                prompt = tokenizer.encode(PROMPT, true);
                int[] full = tokenizer.encode(PROMPT + COMPLETION, true);
                completion = Arrays.copyOfRange(full, prompt.length, full.length);
            } else {
                prompt = new int[]{1, 17, 42, 99, 7};
                completion = new int[24];
                for (int i = 0; i < completion.length; i++) {
                    completion[i] = 100 + (i * 37) % 300;
                }
            }
            final HfTokenizer tok = tokenizer;
            java.util.function.Function<int[], String> show = ids -> tok != null ? tok.decode(ids, true) : Arrays.toString(ids);

            System.out.println("Luthier demo: teach a LoRA adapter a new continuation, on " + modelName);
            System.out.println("prompt:      " + show.apply(prompt));
            System.out.println("teach it:    " + show.apply(completion));

            Engine engine = new Engine(transformer);
            LoraAdapter adapter = engine.createAdapter("demo", new LoraConfig(8, 32, 0, true, true, false));
            int[] full = concat(prompt, completion);
            int[] input = Arrays.copyOf(full, full.length - 1);
            int[] target = Arrays.copyOfRange(full, 1, full.length);
            float[] weights = new float[target.length];
            for (int i = prompt.length - 1; i < target.length; i++) {
                weights[i] = 1f;
            }
            List<TrainingExample> batch = List.of(new TrainingExample(adapter, input, new CrossEntropyLoss(),
                    LossInputs.crossEntropy(target, weights)));

            String before = show.apply(greedy(transformer, adapter, prompt, completion.length));
            System.out.println("before:      " + before);
            AdamW optimizer = new AdamW(kernels);
            double firstLoss = Double.NaN;
            double lastLoss = Double.NaN;
            long start = System.nanoTime();
            for (int s = 1; s <= steps; s++) {
                List<ExampleResult> r = engine.forwardBackward(batch, true);
                StepResult step = optimizer.apply(adapter, AdamParams.of(5e-3));
                double loss = r.getFirst().loss() / completion.length;
                if (s == 1) {
                    firstLoss = loss;
                }
                lastLoss = loss;
                if (s == 1 || s % 10 == 0 || s == steps) {
                    System.out.printf("step %3d  loss/token %.4f  grad norm %.3f%n", s, loss, step.gradNorm());
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int[] sampled = greedy(transformer, adapter, prompt, completion.length);
            String after = show.apply(sampled);
            System.out.println("after:       " + after);
            boolean learned = Arrays.equals(sampled, completion);
            System.out.println(learned ? "The adapter reproduces the taught continuation exactly."
                    : "The adapter has not fully learned the continuation; try more --steps.");
            if (json) {
                ObjectNode out = new ObjectMapper().createObjectNode();
                out.put("model", modelName);
                out.put("steps", steps);
                out.put("loss_per_token_first_step", firstLoss);
                out.put("loss_per_token_last_step", lastLoss);
                out.put("sample_before", before);
                out.put("sample_after", after);
                out.put("learned_exactly", learned);
                out.put("training_seconds", seconds);
                System.out.println(new ObjectMapper().writeValueAsString(out));
            }
            return 0;
        } finally {
            if (tokenizer != null) {
                tokenizer.close();
            }
            if (loaded != null) {
                loaded.close();
            }
            arena.close();
        }
    }

    private static int[] greedy(Transformer transformer, LoraAdapter adapter, int[] prompt, int tokens) {
        Sampler sampler = new Sampler(transformer, 1, prompt.length + tokens + 1, null);
        return sampler.generate(List.of(new SampleRequest(adapter, prompt, SamplingParams.greedy(tokens))))
                .getFirst().sequences().getFirst().tokens();
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

}
