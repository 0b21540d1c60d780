package dev.luthier.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.engine.Engine;
import dev.luthier.engine.ExampleResult;
import dev.luthier.engine.TrainingExample;
import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.PeftAdapterFiles;
import dev.luthier.engine.lora.PeftAdapters;
import dev.luthier.engine.loss.CrossEntropyLoss;
import dev.luthier.engine.loss.LossInputs;
import dev.luthier.engine.model.LoadedModel;
import dev.luthier.engine.tokenizer.HfTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code luthier score}: the log-probability of each token given the ones before it. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Print log p(token_i | tokens_<i) for each token (the first is null), optionally with a PEFT LoRA adapter.")
public final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Hugging Face model directory (config.json + *.safetensors)")
    Path model;

    @Option(names = "--adapter", description = "PEFT adapter directory (adapter_config.json + adapter_model.safetensors)")
    Path adapter;

    @Option(names = "--tokens", split = ",", description = "token ids, comma-separated")
    int[] tokens;

    @Option(names = "--text", description = "text to encode with the model's tokenizer (instead of --tokens)")
    String text;

    @Option(names = "--json", description = "print JSON: {\"logprobs\": [null, lp1, ...]}")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if ((tokens == null) == (text == null)) {
            throw new IllegalArgumentException("give exactly one of --tokens and --text");
        }
        CpuKernels kernels = new CpuKernels();
        try (LoadedModel loaded = LoadedModel.load(model, kernels, 0)) {
            int[] ids = tokens;
            if (ids == null) {
                Optional<HfTokenizer> tok = HfTokenizer.load(model);
                if (tok.isEmpty()) {
                    throw new IllegalArgumentException(model + " has no tokenizer.json; pass --tokens");
                }
                try (HfTokenizer t = tok.get()) {
                    ids = t.encode(text, true);
                }
            }
            if (ids.length == 0) {
                throw new IllegalArgumentException("no tokens to score");
            }
            LoraAdapter lora = adapter == null ? null
                    : PeftAdapters.toEngine(PeftAdapterFiles.read(adapter), "adapter", loaded.config(), kernels);
            Float[] logprobs = new Float[ids.length];
            if (ids.length > 1) {
                Engine engine = new Engine(loaded.transformer());
                int[] input = Arrays.copyOf(ids, ids.length - 1);
                int[] target = Arrays.copyOfRange(ids, 1, ids.length);
                ExampleResult r = engine.forwardBackward(List.of(new TrainingExample(lora, input, new CrossEntropyLoss(),
                        LossInputs.crossEntropy(target, null))), false).getFirst();
                for (int i = 0; i < target.length; i++) {
                    logprobs[i + 1] = r.logprobs()[i];
                }
            }
            if (json) {
                ObjectMapper mapper = new ObjectMapper();
                ObjectNode out = mapper.createObjectNode();
                ArrayNode arr = out.putArray("logprobs");
                for (Float lp : logprobs) {
                    if (lp == null) {
                        arr.addNull();
                    } else {
                        arr.add(lp);
                    }
                }
                System.out.println(mapper.writeValueAsString(out));
            } else {
                System.out.printf("%8s %10s %12s%n", "position", "token", "logprob");
                for (int i = 0; i < ids.length; i++) {
                    System.out.printf("%8d %10d %12s%n", i, ids[i], logprobs[i] == null ? "-" : String.format("%.6f", logprobs[i]));
                }
            }
        }
        return 0;
    }
}
