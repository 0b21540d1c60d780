package dev.luthier.cli.basemodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.cookbook.progress.ProgressListener;
import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.model.HfConfigReader;
import dev.luthier.engine.model.LoadedModel;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.ModelFamily;
import dev.luthier.engine.tokenizer.HfTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BaseModelBuilderTest {
    /** A model small enough to pretrain in seconds. */
    private static final BaseModelSpec TINY = new BaseModelSpec("tiny-arithmetic", 32, 1, 2, 64, 100, 30, 8, 1e-2, 5, 3);

    @Test
    void buildsAHuggingFaceDirectoryTheEngineLoadsAndReusesIt(@TempDir Path data) throws Exception {
        AtomicLong steps = new AtomicLong();
        ProgressListener counting = new ProgressListener() {
            @Override
            public void start(String task, long total) {
                assertThat(total).isEqualTo(TINY.steps());
            }

            @Override
            public void advance(long done, String status) {
                steps.set(done);
            }

            @Override
            public void finish() {
            }
        };
        BaseModelBuilder.BaseModel built = BaseModelBuilder.ensure(data, TINY, counting);
        assertThat(built.reused()).isFalse();
        assertThat(steps.get()).isEqualTo(TINY.steps());
        Path dir = data.resolve("models").resolve("tiny-arithmetic");
        assertThat(built.dir()).isEqualTo(dir);
        try (var listing = Files.list(dir.getParent())) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("tiny-arithmetic");
        }

        ModelConfig config = HfConfigReader.read(dir.resolve("config.json"));
        try (HfTokenizer tokenizer = HfTokenizer.open(dir.resolve("tokenizer.json"))) {
            assertThat(config.family()).isEqualTo(ModelFamily.LLAMA);
            assertThat(config.vocabSize()).isEqualTo(tokenizer.vocabSize());
            assertThat(config.hiddenSize()).isEqualTo(32);
            assertThat(config.tieWordEmbeddings()).isTrue();
            assertThat(config.bosTokenId()).isEqualTo(tokenizer.bosTokenId()).isEqualTo(tokenizer.tokenId("<|begin_of_text|>"));
            assertThat(config.eosTokenIds()).containsExactly(tokenizer.eosTokenId());
        }
        try (CpuKernels k = new CpuKernels(1); LoadedModel loaded = LoadedModel.load(dir, k, 64)) {
            assertThat(loaded.transformer().config()).isEqualTo(config);
        }
        JsonNode provenance = new ObjectMapper().readTree(dir.resolve(BaseModelBuilder.PROVENANCE).toFile());
        // Thirty steps take the loss well below that of guessing uniformly over the vocabulary.
        assertThat(provenance.get("final_loss").asDouble()).isLessThan(0.6 * Math.log(config.vocabSize()));

        FileTime written = Files.getLastModifiedTime(dir.resolve("model.safetensors"));
        BaseModelBuilder.BaseModel again = BaseModelBuilder.ensure(data, TINY, ProgressListener.NONE);
        assertThat(again.reused()).isTrue();
        assertThat(again.dir()).isEqualTo(dir);
        assertThat(Files.getLastModifiedTime(dir.resolve("model.safetensors"))).isEqualTo(written);
    }

    @Test
    void aHalfWrittenDirectoryIsReportedNotOverwritten(@TempDir Path data) throws Exception {
        Path dir = data.resolve("models").resolve("tiny-arithmetic");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{}");
        assertThatThrownBy(() -> BaseModelBuilder.ensure(data, TINY, ProgressListener.NONE))
                .hasMessageContaining("not a complete model directory").hasMessageContaining("remove it");
    }

    @Test
    void learningRateWarmsUpLinearlyThenFollowsACosineToATenth() {
        BaseModelSpec s = new BaseModelSpec("x", 32, 1, 2, 64, 10, 110, 1, 1e-3, 10, 0);
        assertThat(BaseModelBuilder.learningRate(s, 0)).isCloseTo(1e-4, within(1e-12));
        assertThat(BaseModelBuilder.learningRate(s, 4)).isCloseTo(5e-4, within(1e-12));
        assertThat(BaseModelBuilder.learningRate(s, 10)).isCloseTo(1e-3, within(1e-12));
        assertThat(BaseModelBuilder.learningRate(s, 60)).isCloseTo(0.55e-3, within(1e-12));
        assertThat(BaseModelBuilder.learningRate(s, 110)).isCloseTo(1e-4, within(1e-12));
    }
}
