package dev.luthier.cookbook.export;

import dev.luthier.api.input.Datum;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.api.training.AdamParams;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.training.TrainingClient;
import dev.luthier.cookbook.testing.TinyServer;
import dev.luthier.engine.Engine;
import dev.luthier.engine.ExampleResult;
import dev.luthier.engine.TrainingExample;
import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.lora.PeftAdapter;
import dev.luthier.engine.lora.PeftAdapterFiles;
import dev.luthier.engine.loss.CrossEntropyLoss;
import dev.luthier.engine.loss.LossInputs;
import dev.luthier.engine.model.LoadedModel;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A server-trained adapter, exported and merged, computes what the server computes. */
class AdapterExportTest {

    private static Datum datum(int[] tokens) {
        int n = tokens.length - 1;
        float[] w = new float[n];
        java.util.Arrays.fill(w, 1f);
        return new Datum(ModelInput.ofTokens(java.util.Arrays.copyOf(tokens, n)), Map.of(
                "target_tokens", TensorData.ofInts(java.util.Arrays.copyOfRange(tokens, 1, tokens.length), n),
                "weights", TensorData.ofFloats(w, n)));
    }

    @Test
    void exportedAndMergedAdapterGivesTheServersLogprobs(@TempDir Path dir) throws Exception {
        int[] tokens = "Hello, tea!".chars().toArray();
        float[] serverLogprobs;
        Path adapterDir = dir.resolve("peft");
        try (TinyServer server = new TinyServer(dir.resolve("server")); ServiceClient service = server.client()) {
            TrainingClient training = service.createLoraTrainingClient(TinyServer.MODEL, 4);
            for (int i = 0; i < 3; i++) {
                training.forwardBackward(List.of(datum(tokens)), "cross_entropy");
                training.optimStep(AdamParams.defaults().withLearningRate(5e-2));
            }
            String path = training.saveWeightsForSampler("exported").join().path();
            serverLogprobs = training.forward(List.of(datum(tokens)), "cross_entropy").join()
                    .lossFnOutputs().getFirst().get("logprobs").toFloats();
            AdapterExport.export(service.createRestClient(), path, adapterDir);
            // a training state exports the same adapter, without its optimizer moments
            String state = training.saveState("state").join().path();
            Path fromState = AdapterExport.export(service.createRestClient(), state, dir.resolve("peft-from-state"));
            try (var files = Files.list(fromState)) {
                assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly(
                        "adapter_config.json", "adapter_model.safetensors");
            }
        }
        PeftAdapter adapter = PeftAdapterFiles.read(adapterDir);
        assertThat(adapter.rank()).isEqualTo(4);

        Path base = dir.resolve("server").resolve("models").resolve(TinyServer.MODEL);
        Path merged = dir.resolve("merged");
        LoraMerge.merge(base, adapterDir, merged, Optional.empty());
        float[] local;
        try (LoadedModel loaded = LoadedModel.load(merged, new CpuKernels(), 0)) {
            int n = tokens.length - 1;
            ExampleResult r = new Engine(loaded.transformer()).forwardBackward(List.of(new TrainingExample(null,
                    java.util.Arrays.copyOf(tokens, n), new CrossEntropyLoss(),
                    LossInputs.crossEntropy(java.util.Arrays.copyOfRange(tokens, 1, tokens.length), null))), false).getFirst();
            local = r.logprobs();
        }
        assertThat(local).hasSameSizeAs(serverLogprobs);
        for (int i = 0; i < local.length; i++) {
            assertThat((double) local[i]).as("position %d", i).isCloseTo(serverLogprobs[i], org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    @Test
    void archiveEntriesThatEscapeTheDirectoryAreRefused(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            byte[] body = "x".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry("ckpt/../../evil.txt");
            e.setSize(body.length);
            tar.putArchiveEntry(e);
            tar.write(body);
            tar.closeArchiveEntry();
        }
        assertThatThrownBy(() -> CheckpointDownload.unpack(new ByteArrayInputStream(bytes.toByteArray()), dir.resolve("out")))
                .hasMessageContaining("outside");
        assertThat(dir.resolve("evil.txt")).doesNotExist();
    }
}
