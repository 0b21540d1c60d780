package dev.luthier.client.training;

import dev.luthier.api.input.Datum;
import dev.luthier.api.training.ForwardBackwardOutput;
import dev.luthier.client.Data;
import dev.luthier.client.LoopbackServer;
import dev.luthier.client.ServiceClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** A batch over the chunk limit goes out as several requests and comes back whole and in order. */
class ChunkingTest {
    @TempDir
    static Path dir;
    static LoopbackServer server;
    static ServiceClient service;

    @BeforeAll
    static void start() throws Exception {
        server = new LoopbackServer(dir);
        service = new ServiceClient(server.options());
    }

    @AfterAll
    static void stop() {
        service.close();
        server.close();
    }

    @Test
    void moreThan1024DatumsAreSplitAndJoinedInOrder() {
        TrainingClient training = service.createLoraTrainingClient(LoopbackServer.MODEL, 4);
        List<Datum> data = new ArrayList<>();
        for (int i = 0; i < 1100; i++) {
            int len = 2 + i % 3; // 2, 3 or 4 tokens: 1, 2 or 3 targets, so each output's length says which datum it is
            int[] tokens = new int[len];
            for (int t = 0; t < len; t++) {
                tokens[t] = 1 + (i * 7 + t) % 90;
            }
            data.add(Data.sft(tokens));
        }
        int before = training.nextSeqId();
        ForwardBackwardOutput all = training.forwardBackward(data, "cross_entropy").join();
        assertThat(training.nextSeqId() - before).isEqualTo(2);
        assertThat(all.lossFnOutputs()).hasSize(1100);
        for (int i = 0; i < 1100; i++) {
            assertThat(all.lossFnOutputs().get(i).get("logprobs").toFloats()).as("datum %d", i).hasSize(1 + i % 3);
        }
        // Spot-check contents against single-datum forwards (no optim_step ran, so the weights are unchanged).
        double total = 0;
        for (int i : new int[]{0, 1023, 1024, 1099}) {
            ForwardBackwardOutput one = training.forward(List.of(data.get(i)), "cross_entropy").join();
            float[] expected = one.lossFnOutputs().getFirst().get("logprobs").toFloats();
            float[] actual = all.lossFnOutputs().get(i).get("logprobs").toFloats();
            for (int t = 0; t < expected.length; t++) {
                assertThat((double) actual[t]).isCloseTo(expected[t], within(1e-5));
            }
        }
        // loss:sum of the whole is the sum over chunks: compare with the per-datum logprobs.
        for (var out : all.lossFnOutputs()) {
            for (float lp : out.get("logprobs").toFloats()) {
                total -= lp;
            }
        }
        assertThat(all.metrics().get("loss:sum")).isCloseTo(total, within(1e-3 * Math.abs(total)));
    }
}
