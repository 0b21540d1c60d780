package dev.luthier.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.sampling.SampledSequence;
import dev.luthier.api.sampling.SamplingParams;
import dev.luthier.cli.connect.RemoteOptions;
import dev.luthier.cli.connect.TokenizerLookup;
import dev.luthier.cli.progress.TerminalProgressBar;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.sampling.SamplingClient;
import dev.luthier.cookbook.completions.FilePrompt;
import dev.luthier.cookbook.completions.FileSampling;
import dev.luthier.cookbook.completions.PromptFile;
import dev.luthier.cookbook.renderers.HfTokenizers;
import dev.luthier.cookbook.renderers.Message;
import dev.luthier.cookbook.renderers.ParsedResponse;
import dev.luthier.cookbook.renderers.Renderer;
import dev.luthier.cookbook.renderers.Renderers;
import dev.luthier.cookbook.rl.ProblemEnv;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code luthier sample MODEL}: chat with a base model or a checkpoint. Each line read from stdin is a user message;
 * the reply is sampled from the whole conversation so far, rendered by {@code --renderer}. {@code /reset} starts
 * over, {@code /quit} or end of input stops. {@code --prompt} asks one question and exits. {@code --data FILE --out
 * FILE} samples every prompt of a JSONL file instead ({@link FileSampling}).
 */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = {"Chat with a base model or a checkpoint (tinker://...) in the terminal.",
                "Type a message per line; /reset starts a new conversation, /quit (or end of input) stops.",
                "With --data FILE --out FILE, samples --num-samples completions of every line of a JSONL file"
                        + " ({\"messages\": [...]} chats or {\"prompt\": \"raw text\"}) and writes them in input order."})
public final class SampleCommand implements Callable<Integer> {
    @Mixin
    RemoteOptions remote;

    @Parameters(paramLabel = "MODEL", description = "a base model name or a tinker://RUN/sampler_weights/NAME checkpoint")
    String model;

    @Option(names = "--renderer", description = "chat format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})",
            defaultValue = "role_colon", completionCandidates = RendererNames.class)
    String renderer;

    @Option(names = "--tokenizer", description = "the model's tokenizer.json or its directory (default: the base model's"
            + " local directory or Hugging Face cache)")
    Path tokenizer;

    @Option(names = "--system", description = "a system message to start every conversation with")
    String system;

    @Option(names = "--prompt", description = "ask this one message, print the reply and exit")
    String prompt;

    @Option(names = "--max-tokens", description = "longest reply in tokens (default: ${DEFAULT-VALUE})", defaultValue = "256")
    int maxTokens;

    @Option(names = "--temperature", description = "sampling temperature, 0 for greedy (default: ${DEFAULT-VALUE})",
            defaultValue = "0.7")
    double temperature;

    @Option(names = "--seed", description = "sampling seed")
    Long seed;

    @Option(names = "--data", description = "a JSONL file of prompts to sample: {\"messages\": [...]} (rendered with"
            + " --renderer) or {\"prompt\": \"raw text\"} per line")
    Path data;

    @Option(names = "--out", description = "with --data: the JSONL file to write, one line per prompt with its completions")
    Path out;

    @Option(names = "--num-samples", description = "with --data: completions per prompt (default: 1)")
    Integer numSamples;

    @Option(names = "--concurrency", description = "with --data: sampling requests in flight at once (default: 32)")
    Integer concurrency;

    @Option(names = "--json", description = "print each turn as one JSON object; with --data, end with a summary object"
            + " (progress goes to stderr)")
    boolean json;

    static final class RendererNames extends ArrayList<String> {
        RendererNames() {
            super(Renderers.NAMES);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("--max-tokens must be at least 1");
        }
        if (temperature < 0) {
            throw new IllegalArgumentException("--temperature must not be negative");
        }
        if (!Renderers.NAMES.contains(renderer)) {
            throw new IllegalArgumentException("--renderer must be one of " + Renderers.NAMES + ", got " + renderer);
        }
        checkFileOptions();
        try (ServiceClient service = remote.connect()) {
            String baseModel = model.startsWith("tinker://") ? service.createRestClient().getWeightsInfo(model).baseModel() : model;
            try (HfTokenizers.Adapter tok = TokenizerLookup.open(Optional.ofNullable(tokenizer), baseModel, Map.of())) {
                Renderer r = Renderers.create(renderer, tok);
                SamplingClient sampler = service.createSamplingClient(model);
                if (data != null) {
                    return sampleFile(r, sampler);
                }
                Chat chat = new Chat(r, sampler);
                if (prompt != null) {
                    chat.turn(prompt);
                    return 0;
                }
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                boolean interactive = System.console() != null && !json;
                if (interactive) {
                    System.out.println("chatting with " + model + " (" + renderer + "); /reset starts over, /quit stops");
                }
                while (true) {
                    if (interactive) {
                        System.out.print("> ");
                        System.out.flush();
                    }
                    String line = in.readLine();
                    if (line == null || line.strip().equals("/quit")) {
                        return 0;
                    }
                    if (line.strip().equals("/reset")) {
                        chat.reset();
                        continue;
                    }
                    if (!line.isBlank()) {
                        chat.turn(line);
                    }
                }
            }
        }
    }

    private void checkFileOptions() throws java.io.IOException {
        if (data == null) {
            if (out != null || numSamples != null || concurrency != null) {
                throw new IllegalArgumentException("--out, --num-samples and --concurrency go with --data FILE");
            }
            return;
        }
        if (out == null) {
            throw new IllegalArgumentException("--data needs --out FILE (where the completions go)");
        }
        if (prompt != null) {
            throw new IllegalArgumentException("--prompt and --data are exclusive: put the prompt in the file");
        }
        if (!Files.isRegularFile(data)) {
            throw new IllegalArgumentException("no prompts file " + data);
        }
        if (Files.exists(out) && Files.isSameFile(data, out)) {
            throw new IllegalArgumentException("--out must not be the --data file " + data);
        }
        if (numSamples == null) {
            numSamples = 1;
        } else if (numSamples < 1) {
            throw new IllegalArgumentException("--num-samples must be at least 1");
        }
        if (concurrency == null) {
            concurrency = 32;
        } else if (concurrency < 1) {
            throw new IllegalArgumentException("--concurrency must be at least 1");
        }
    }

    private SamplingParams params(Renderer r) {
        return new SamplingParams(maxTokens, seed == null ? null : BigInteger.valueOf(seed), ProblemEnv.stopCondition(r),
                temperature, -1, 1.0);
    }

    /** Samples every prompt of {@code --data} into {@code --out}; all lines are read (and checked) before sampling. */
    private int sampleFile(Renderer r, SamplingClient sampler) throws Exception {
        List<FilePrompt> prompts = PromptFile.read(data, r, system);
        PrintStream progressOut = json ? System.err : System.out;
        FileSampling.Summary s = new FileSampling(sampler::sample, r, params(r), numSamples, concurrency,
                TerminalProgressBar.on(progressOut)).run(data, prompts, out);
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode summary = mapper.createObjectNode();
            summary.put("out", s.out().toString());
            summary.put("prompts", s.prompts());
            summary.put("completions", s.completions());
            summary.put("prompt_tokens", s.promptTokens());
            summary.put("tokens", s.sampledTokens());
            summary.put("seconds", s.seconds());
            System.out.println(mapper.writeValueAsString(summary));
        } else {
            System.out.printf(Locale.ROOT, "wrote %d completions of %d prompts (%d tokens) to %s in %.1f s%n",
                    s.completions(), s.prompts(), s.sampledTokens(), s.out(), s.seconds());
        }
        return 0;
    }

    /** A conversation: the messages so far and how to sample the next reply. */
    private final class Chat {
        private final Renderer renderer;
        private final SamplingClient sampler;
        private final List<Message> messages = new ArrayList<>();
        private final ObjectMapper mapper = new ObjectMapper();

        Chat(Renderer renderer, SamplingClient sampler) {
            this.renderer = renderer;
            this.sampler = sampler;
            reset();
        }

        void reset() {
            messages.clear();
            if (system != null) {
                messages.add(Message.system(system));
            }
        }

        void turn(String userText) throws Exception {
            messages.add(Message.user(userText));
            int[] promptTokens = renderer.buildGenerationPrompt(messages);
            SampledSequence s = sampler.sample(ModelInput.ofTokens(promptTokens), 1, params(renderer)).join().sequences().getFirst();
            ParsedResponse reply = renderer.parseResponse(s.tokens());
            messages.add(reply.message());
            if (json) {
                ObjectNode out = mapper.createObjectNode();
                out.put("prompt", userText);
                out.put("response", reply.message().content());
                if (reply.message().thinking() != null) {
                    out.put("thinking", reply.message().thinking());
                }
                out.put("tokens", s.tokens().length);
                out.put("stop_reason", s.stopReason().name().toLowerCase());
                out.put("stopped", reply.stopped());
                System.out.println(mapper.writeValueAsString(out));
            } else {
                System.out.println(reply.message().content());
            }
            System.out.flush();
        }
    }
}
