package dev.luthier.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.sampling.SampledSequence;
import dev.luthier.api.sampling.SamplingParams;
import dev.luthier.api.sampling.Stop;
import dev.luthier.cli.connect.RemoteOptions;
import dev.luthier.cli.connect.TokenizerLookup;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.sampling.SamplingClient;
import dev.luthier.cookbook.renderers.HfTokenizers;
import dev.luthier.cookbook.renderers.Message;
import dev.luthier.cookbook.renderers.ParsedResponse;
import dev.luthier.cookbook.renderers.Renderer;
import dev.luthier.cookbook.renderers.Renderers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code luthier sample MODEL}: chat with a base model or a checkpoint. Each line read from stdin is a user message;
 * the reply is sampled from the whole conversation so far, rendered by {@code --renderer}. {@code /reset} starts
 * over, {@code /quit} or end of input stops. {@code --prompt} asks one question and exits.
 */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = {"Chat with a base model or a checkpoint (tinker://...) in the terminal.",
                "Type a message per line; /reset starts a new conversation, /quit (or end of input) stops."})
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

    @Option(names = "--json", description = "print each turn as one JSON object")
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
        try (ServiceClient service = remote.connect()) {
            String baseModel = model.startsWith("tinker://") ? service.createRestClient().getWeightsInfo(model).baseModel() : model;
            try (HfTokenizers.Adapter tok = TokenizerLookup.open(Optional.ofNullable(tokenizer), baseModel, Map.of())) {
                Renderer r = Renderers.create(renderer, tok);
                SamplingClient sampler = service.createSamplingClient(model);
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
            Stop stop = !renderer.stopTokenIds().isEmpty()
                    ? Stop.tokens(renderer.stopTokenIds().stream().mapToInt(Integer::intValue).toArray())
                    : !renderer.stopStrings().isEmpty() ? new Stop.Strings(renderer.stopStrings()) : null;
            SamplingParams params = new SamplingParams(maxTokens, seed == null ? null : BigInteger.valueOf(seed), stop,
                    temperature, -1, 1.0);
            SampledSequence s = sampler.sample(ModelInput.ofTokens(promptTokens), 1, params).join().sequences().getFirst();
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
