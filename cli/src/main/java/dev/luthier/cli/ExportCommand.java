package dev.luthier.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.cli.connect.ServerOptions;
import dev.luthier.cookbook.export.AdapterExport;
import dev.luthier.cookbook.export.LoraMerge;
import dev.luthier.engine.tensor.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code luthier export}: a checkpoint's LoRA adapter as a PEFT directory, or (with {@code --merge}) merged into its
 * base model as a Hugging Face model directory.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a checkpoint's LoRA adapter as a PEFT directory, or merge it into the base model.",
                "  luthier export tinker://RUN/sampler_weights/final --out adapter/ --base-url URL",
                "  luthier export tinker://RUN/weights/final --merge --base-model DIR --out merged/ --data ~/.luthier",
                "  luthier export --adapter adapter/ --merge --base-model DIR --out merged/   (local, no server)"})
public final class ExportCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server;

    @Parameters(arity = "0..1", paramLabel = "CHECKPOINT", description = "tinker://... path of a sampler or state checkpoint")
    String checkpoint;

    @Option(names = "--adapter", description = "a local PEFT adapter directory instead of a checkpoint")
    Path adapter;

    @Option(names = "--out", required = true, description = "output directory")
    Path out;

    @Option(names = "--merge", description = "merge the adapter into the base model and write a Hugging Face model")
    boolean merge;

    @Option(names = "--base-model", description = "the base model's Hugging Face directory (default: the checkpoint's base"
            + " model, found through --model or the Hugging Face cache)")
    Path baseModel;

    @Option(names = "--dtype", description = "stored type of the merged weights: f32, bf16 or f16 (default: as in the base)")
    String dtype;

    @Option(names = "--json", description = "print the result as one JSON object")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if ((checkpoint == null) == (adapter == null)) {
            throw new IllegalArgumentException("give a checkpoint path or --adapter DIR (one of them)");
        }
        if (!merge && (baseModel != null || dtype != null)) {
            throw new IllegalArgumentException("--base-model and --dtype are for --merge");
        }
        if (!merge && adapter != null) {
            throw new IllegalArgumentException("--adapter is already a PEFT directory; add --merge to merge it");
        }
        Optional<DType> storedAs = dtype == null ? Optional.empty() : Optional.of(switch (dtype.toLowerCase()) {
            case "f32", "float32" -> DType.F32;
            case "bf16", "bfloat16" -> DType.BF16;
            case "f16", "float16" -> DType.F16;
            default -> throw new IllegalArgumentException("--dtype must be f32, bf16 or f16, got " + dtype);
        });
        ObjectNode result = new ObjectMapper().createObjectNode();
        Path adapterDir = adapter;
        Path staging = null;
        try {
            String baseName = null;
            if (checkpoint != null) {
                adapterDir = merge ? (staging = Files.createTempDirectory("luthier-adapter-")) : out;
                try (ServerOptions.Connection c = server.connect()) {
                    var rest = c.service().createRestClient();
                    if (merge && baseModel == null) {
                        baseName = rest.getWeightsInfo(checkpoint).baseModel();
                    }
                    AdapterExport.export(rest, checkpoint, adapterDir);
                }
                if (!merge) {
                    result.put("adapter_dir", out.toString());
                }
            }
            if (merge) {
                Path base = baseModel;
                if (base == null) {
                    if (baseName == null) {
                        throw new IllegalArgumentException("give --base-model DIR");
                    }
                    String name = baseName;
                    base = server.localModelDir(name).orElseThrow(() -> new IllegalArgumentException("cannot find base model "
                            + name + " locally: give --base-model DIR"));
                }
                LoraMerge.Summary s = LoraMerge.merge(base, adapterDir, out, storedAs);
                result.put("merged_dir", out.toString());
                result.put("base_model", base.toString());
                result.put("merged_weights", s.mergedWeights().size());
                result.put("lora_scale", s.scale());
                result.put("untied_head", s.untiedHead());
            }
        } finally {
            if (staging != null) {
                try (var walk = Files.walk(staging)) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(result));
        } else if (result.has("merged_dir")) {
            System.out.println("merged " + result.get("merged_weights").asInt() + " weights (scale " + result.get("lora_scale").asDouble()
                    + ") into " + out);
        } else {
            System.out.println("PEFT adapter written to " + out);
        }
        return 0;
    }
}
