package dev.luthier.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.sampler.SampleRequest;
import dev.luthier.engine.sampler.SampleResult;
import dev.luthier.engine.sampler.Sampler;
import dev.luthier.engine.sampler.SamplingParams;
import dev.luthier.engine.tensor.Tensor;
import dev.luthier.engine.testing.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real pretrained stories260K (Llama, GQA 8/4, tied embeddings) against an independent float64 implementation
 * and llama2.c's greedy output.
 */
class Stories260KGoldenTest {
    private static JsonNode golden;
    private static Kernels kernels;
    private static LoadedModel model;

    @BeforeAll
    static void load() throws Exception {
        Path dir = SharedData.require("models/stories260K");
        golden = SharedData.json(dir.resolve("golden.json"));
        kernels = new CpuKernels();
        model = LoadedModel.load(dir, kernels, 0);
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void promptLogitsMatchFloat64Reference() {
        JsonNode prompt = golden.get("prompt");
        int[] tokens = SharedData.ints(prompt.get("token_ids_with_bos"));
        Tensor hidden = model.transformer().forward(PackedBatch.of(List.of(new PackedBatch.Sequence(tokens, null))), null);
        float[] logits = kernels.toHost(model.transformer().head().logits(hidden, List.of(new AdapterSegment(0, tokens.length, null))));
        int vocab = model.config().vocabSize();
        double worst = 0;
        for (int t = 0; t < tokens.length; t++) {
            JsonNode row = prompt.get("logits").get(t);
            for (int v = 0; v < vocab; v++) {
                worst = Math.max(worst, Math.abs(logits[t * vocab + v] - row.get(v).asDouble()));
            }
        }
        assertThat(worst).isLessThanOrEqualTo(1e-4);
    }

    @Test
    void greedyContinuationFromBosMatchesLlama2c() {
        JsonNode greedy = golden.get("greedy_from_bos");
        int[] expected = SharedData.ints(greedy.get("token_ids"));
        // token_ids starts with BOS; the continuation is the rest.
        int steps = expected.length - 1;
        Sampler sampler = new Sampler(model.transformer(), 1, 512, null);
        SampleResult r = sampler.generate(List.of(new SampleRequest(null, new int[]{expected[0]},
                SamplingParams.greedy(steps)))).getFirst();
        int[] got = r.sequences().getFirst().tokens();
        assertThat(got).containsExactly(java.util.Arrays.copyOfRange(expected, 1, expected.length));
    }
}
