package dev.luthier.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.cli.demo.DemoResult;
import dev.luthier.cli.demo.DemoRun;
import dev.luthier.cli.demo.DemoSettings;
import dev.luthier.cli.progress.TerminalProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code luthier demo}: post-training end to end on a laptop, with nothing to download. It pretrains (once) a small
 * Llama on synthetic arithmetic word problems, serves it from an embedded server, and through the SDK fine-tunes a
 * LoRA adapter with SFT and then RL, measuring accuracy on held-out problems before and after.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Pretrain (once) a small model on arithmetic word problems, then post-train it with LoRA SFT and RL"
                + " through an embedded server and compare held-out accuracy before and after."})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--data", description = "data directory: base model, server database, checkpoints, runs (default ~/.luthier)")
    Path data;

    @Option(names = "--json", description = "end with one JSON object of the results")
    boolean json;

    @Option(names = "--quick", description = "a smaller base model (kept apart from the default one) and shorter runs, as the tests use")
    boolean quick;

    @Override
    public Integer call() throws Exception {
        Path dataDir = data != null ? data : Path.of(System.getProperty("user.home"), ".luthier");
        DemoSettings settings = quick ? DemoSettings.quick() : DemoSettings.standard();
        System.out.println("Luthier demo: arithmetic word problems, base model " + settings.base().name() + " (data: "
                + dataDir + ")");
        DemoResult r = DemoRun.run(dataDir, settings, TerminalProgressBar.on(System.out), System.out);
        System.out.println();
        System.out.printf("Greedy accuracy on %d held-out problems (never seen in pretraining, SFT or RL):%n",
                r.heldOutProblems());
        System.out.println("| model                      | accuracy | worked format |");
        System.out.println("| -------------------------- | -------: | ------------: |");
        row("base model (pretrained)", r.accuracyBefore(), r.formatBefore());
        row("after LoRA SFT", r.accuracyAfterSft(), r.formatAfterSft());
        row("after LoRA SFT + RL", r.accuracyAfter(), r.formatAfter());
        System.out.printf("%ntook %.0f s (%.0f s CPU); report: %s%n", r.totalSeconds(), r.cpuSeconds(), r.report());
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(toJson(r)));
        }
        return 0;
    }

    private static void row(String label, double accuracy, double format) {
        System.out.printf("| %-26s | %6.1f %% | %11.1f %% |%n", label, 100 * accuracy, 100 * format);
    }

    static ObjectNode toJson(DemoResult r) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("accuracy_before", r.accuracyBefore());
        o.put("accuracy_after_sft", r.accuracyAfterSft());
        o.put("accuracy_after", r.accuracyAfter());
        o.put("format_before", r.formatBefore());
        o.put("format_after_sft", r.formatAfterSft());
        o.put("format_after", r.formatAfter());
        o.put("held_out_problems", r.heldOutProblems());
        o.put("base_accuracy_own_format", r.baseAccuracyOwnFormat());
        o.put("base_model", r.baseModel());
        o.put("base_model_dir", r.baseModelDir().toString());
        o.put("base_model_reused", r.baseModelReused());
        o.put("pretraining_seconds", r.pretrainingSeconds());
        o.put("sft_seconds", r.sftSeconds());
        o.put("rl_seconds", r.rlSeconds());
        o.put("eval_seconds", r.evalSeconds());
        o.put("total_seconds", r.totalSeconds());
        o.put("cpu_seconds", r.cpuSeconds());
        o.put("run_dir", r.runDir().toString());
        o.put("report", r.report().toString());
        o.put("sampler_path", r.samplerPath());
        return o;
    }
}
