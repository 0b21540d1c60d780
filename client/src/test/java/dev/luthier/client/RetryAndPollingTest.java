package dev.luthier.client;

import dev.luthier.api.future.ErrorCategory;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.sampling.SamplingParams;
import dev.luthier.api.training.AdamParams;
import dev.luthier.client.errors.ApiException;
import dev.luthier.client.errors.FutureLostException;
import dev.luthier.client.errors.RequestFailedException;
import dev.luthier.client.http.RetryPolicy;
import dev.luthier.client.sampling.SamplingClient;
import dev.luthier.client.training.TrainingClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client's retry and polling rules, against a scripted fake server. */
class RetryAndPollingTest {
    static final String MODEL = "{\"model_id\": \"S:train:0\", \"type\": \"create_model\"}";
    ScriptedServer fake;

    @BeforeEach
    void start() throws Exception {
        fake = new ScriptedServer();
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    ClientOptions options() {
        return ClientOptions.of(fake.baseUrl(), "tml-x")
                .withRetry(new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(2)))
                .withHeartbeatInterval(Duration.ofMillis(50))
                .withSampleBackpressureWait(Duration.ofMillis(10));
    }

    @Test
    void configIsRetriedOn5xxAndA404IsFatal() {
        fake.on("client/config", 503, "{}", 502, "", 200, "{\"fwdbwd_max_chunk_len\": 7}");
        try (ServiceClient c = new ServiceClient(options())) {
            assertThat(c.serverConfig().fwdbwdMaxChunkLen()).isEqualTo(7);
        }
        assertThat(fake.to("client/config")).hasSize(3);
        assertThat(fake.to("client/config").getFirst().headers().get("X-api-key")).containsExactly("tml-x");
        fake.on("client/config", 404, "{\"detail\": \"no such route\"}");
        assertThatThrownBy(() -> new ServiceClient(options())).isInstanceOf(ApiException.class)
                .hasMessageContaining("404").hasMessageContaining("no such route");
    }

    @Test
    void pollingRetriesPendingAndTransientAnswers() {
        fake.on("create_model", 503, "{}", 200, "{\"request_id\": \"r1\"}");
        fake.on("retrieve_future", 408, "{\"type\": \"try_again\"}", 200, "{\"type\": \"try_again\", \"queue_state\": \"active\"}",
                429, "{}", 500, "{}", 200, MODEL);
        try (ServiceClient c = new ServiceClient(options())) {
            TrainingClient t = c.createLoraTrainingClient("m", 4);
            assertThat(t.modelId()).isEqualTo("S:train:0");
        }
        assertThat(fake.to("create_model")).hasSize(2);
        assertThat(fake.to("retrieve_future")).hasSize(5);
        assertThat(fake.to("retrieve_future").getFirst().body()).contains("\"request_id\":\"r1\"");
        assertThat(fake.to("retrieve_future").getFirst().headers().get("X-tinker-request-type")).containsExactly("CreateModel");
    }

    @Test
    void failedAndLostFuturesCompleteExceptionally() {
        fake.on("create_model", 200, "{\"request_id\": \"r1\"}");
        fake.on("retrieve_future", 200, MODEL);
        try (ServiceClient c = new ServiceClient(options())) {
            TrainingClient t = c.createLoraTrainingClient("m", 4);
            fake.on("optim_step", 200, "{\"request_id\": \"r2\"}");
            fake.on("retrieve_future", 200, "{\"error\": \"disk full\", \"category\": \"server\"}");
            assertThatThrownBy(() -> t.optimStep(AdamParams.defaults()).join()).cause()
                    .isInstanceOf(RequestFailedException.class).hasMessageContaining("disk full")
                    .satisfies(e -> assertThat(((RequestFailedException) e).category()).isEqualTo(ErrorCategory.SERVER));
            fake.on("retrieve_future", 410, "{\"detail\": \"gone\"}");
            assertThatThrownBy(() -> t.optimStep(AdamParams.defaults()).join()).cause().isInstanceOf(FutureLostException.class);
            fake.on("retrieve_future", 404, "{\"detail\": \"unknown request_id\"}");
            assertThatThrownBy(() -> t.optimStep(AdamParams.defaults()).join()).cause().isInstanceOf(ApiException.class)
                    .hasMessageContaining("unknown request_id");
        }
        // Three optim steps, seq_ids 1, 2, 3 in order.
        assertThat(fake.to("optim_step")).extracting(r -> r.body().replaceAll(".*\"seq_id\":(\\d+).*", "$1"))
                .containsExactly("1", "2", "3");
    }

    @Test
    void aSubmitRejectedForGoodStillLetsTheNextCallGo() {
        fake.on("create_model", 200, "{\"request_id\": \"r1\"}");
        fake.on("retrieve_future", 200, MODEL);
        try (ServiceClient c = new ServiceClient(options())) {
            TrainingClient t = c.createLoraTrainingClient("m", 4);
            fake.on("optim_step", 400, "{\"detail\": \"bad\"}", 200, "{\"request_id\": \"r2\"}");
            fake.on("retrieve_future", 200, "{\"metrics\": {}}");
            var first = t.optimStep(AdamParams.defaults());
            var second = t.optimStep(AdamParams.defaults());
            assertThat(second.join().metrics()).isEmpty();
            assertThatThrownBy(first::join).cause().isInstanceOf(ApiException.class).hasMessageContaining("400");
        }
    }

    @Test
    void sampling429ResendsTheSameSeqIdAndALostSampleIsResubmitted() {
        fake.on("create_sampling_session", 200, "{\"sampling_session_id\": \"S:sample:0\"}");
        fake.on("asample", 429, "{}", 429, "{}", 200, "{\"request_id\": \"s1\"}");
        fake.on("retrieve_future", 410, "{}", 200,
                "{\"sequences\": [{\"stop_reason\": \"length\", \"tokens\": [5], \"logprobs\": [-1.0]}], \"type\": \"sample\"}");
        try (ServiceClient c = new ServiceClient(options())) {
            SamplingClient s = c.createSamplingClient("m");
            var r = s.sample(ModelInput.ofTokens(1, 2), 1, SamplingParams.ofMaxTokens(1)).join();
            assertThat(r.sequences().getFirst().tokens()).containsExactly(5);
        }
        List<String> seqs = fake.to("asample").stream().map(r -> r.body().replaceAll(".*\"seq_id\":(\\d+).*", "$1")).toList();
        // Two 429s and the accepted submit share seq_id 0; after the 410 the sample goes again as seq_id 1.
        assertThat(seqs).containsExactly("0", "0", "0", "1");
        assertThat(fake.to("asample").getFirst().headers().get("X-tinker-sampling-backpressure")).containsExactly("1");
    }

    @Test
    void theSessionIsLazyAndHeartbeatsUntilClose() throws Exception {
        try (ServiceClient c = new ServiceClient(options())) {
            Thread.sleep(150);
            assertThat(fake.to("create_session")).isEmpty();
            assertThat(c.sessionId()).isEqualTo("S");
            Thread.sleep(300);
        }
        int beats = fake.to("session_heartbeat").size();
        assertThat(beats).isGreaterThanOrEqualTo(2);
        assertThat(fake.to("session_heartbeat").getFirst().body()).contains("\"session_id\":\"S\"");
        Thread.sleep(200);
        assertThat(fake.to("session_heartbeat")).hasSize(beats);
    }

    @Test
    void closingEndsPendingPolls() {
        fake.on("create_model", 200, "{\"request_id\": \"r1\"}");
        fake.on("retrieve_future", 200, MODEL);
        var c = new ServiceClient(options());
        TrainingClient t = c.createLoraTrainingClient("m", 4);
        fake.on("optim_step", 200, "{\"request_id\": \"r2\"}");
        fake.on("retrieve_future", 408, "{\"type\": \"try_again\"}");
        var pending = t.optimStep(AdamParams.defaults());
        long start = System.nanoTime();
        c.close();
        assertThatThrownBy(pending::join).satisfies(e -> assertThat(e instanceof java.util.concurrent.CancellationException
                || e.getCause() instanceof java.util.concurrent.CancellationException).as(e.toString()).isTrue());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void environmentDefaults() {
        ClientOptions o = ClientOptions.fromEnvironment(java.util.Map.of("TINKER_API_KEY", "tml-a", "LUTHIER_API_KEY", "tml-b"));
        assertThat(o.apiKey()).isEqualTo("tml-b");
        assertThat(o.baseUrl()).isEqualTo(ClientOptions.DEFAULT_BASE_URL);
        assertThat(ClientOptions.fromEnvironment(java.util.Map.of("TINKER_API_KEY", "k", "TINKER_BASE_URL", "http://h:1")).baseUrl())
                .isEqualTo("http://h:1");
        assertThatThrownBy(() -> ClientOptions.fromEnvironment(java.util.Map.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void retryPolicyDoublesUpToItsCap() {
        RetryPolicy p = RetryPolicy.defaults();
        assertThat(List.of(p.delay(0), p.delay(1), p.delay(2), p.delay(4), p.delay(5), p.delay(30)))
                .extracting(Duration::toSeconds).containsExactly(1L, 2L, 4L, 16L, 30L, 30L);
    }

    @Test
    void transientFailuresPastTheBudgetFail() {
        fake.on("client/config", 503, "{\"detail\": \"down\"}");
        long start = System.nanoTime();
        assertThatThrownBy(() -> new ServiceClient(options())).isInstanceOf(ApiException.class).hasMessageContaining("503");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThatThrownBy(() -> new ServiceClient(ClientOptions.of("http://127.0.0.1:1", "tml-x")
                .withRetry(new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(100)))))
                .isInstanceOf(dev.luthier.client.errors.LuthierException.class).hasMessageContaining("client/config");
    }
}
