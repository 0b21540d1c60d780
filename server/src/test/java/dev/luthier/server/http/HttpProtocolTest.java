package dev.luthier.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.api.compress.ContentEncoding;
import dev.luthier.api.input.Datum;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.proto.WireProto;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.api.training.ForwardBackwardInput;
import dev.luthier.api.training.ForwardBackwardOutput;
import dev.luthier.api.training.ForwardBackwardRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The exact request shapes of the Python SDK, against a real server on loopback. */
class HttpProtocolTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    private static TestServer server;
    private static String session;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer(dir);
        assertThat(server.post("client/config", "{\"sdk_version\": \"0.24.1\"}").statusCode()).isEqualTo(200);
        session = json(server.post("create_session",
                "{\"tags\": [], \"user_metadata\": {}, \"sdk_version\": \"0.24.1\", \"type\": \"create_session\"}")).get("session_id").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        return JSON.readTree(r.body());
    }

    /** Polls a future to completion the way the SDK does (408 means poll again). */
    static HttpResponse<byte[]> await(String requestId, String accept) throws Exception {
        for (int i = 0; i < 100; i++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base + "retrieve_future"))
                    .header("X-API-Key", TestServer.KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"request_id\": \"" + requestId + "\", \"allow_metadata_only\": true}"));
            if (accept != null) {
                b.header("Accept", accept);
            }
            HttpResponse<byte[]> r = server.send(b.build());
            if (r.statusCode() != 408) {
                return r;
            }
            assertThat(json(r).get("type").asText()).isEqualTo("try_again");
        }
        throw new AssertionError("future " + requestId + " never finished");
    }

    static JsonNode result(HttpResponse<byte[]> submit) throws Exception {
        assertThat(submit.statusCode()).as(new String(submit.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        HttpResponse<byte[]> r = await(json(submit).get("request_id").asText(), null);
        assertThat(r.statusCode()).isEqualTo(200);
        return json(r);
    }

    static String createModel(int seq) throws Exception {
        JsonNode r = result(server.post("create_model", "{\"session_id\": \"" + session + "\", \"model_seq_id\": " + seq
                + ", \"base_model\": \"tiny\", \"lora_config\": {\"rank\": 4, \"seed\": 3, \"train_unembed\": true,"
                + " \"train_mlp\": true, \"train_attn\": true}, \"type\": \"create_model\"}"));
        assertThat(r.has("error")).isFalse();
        return r.get("model_id").asText();
    }

    public static String fwdBwdJson(String modelId, int seq, String lossFn) {
        return "{\"forward_backward_input\": {\"data\": [ {\"model_input\": {\"chunks\": [{\"tokens\": [1,2,3,4,5], \"type\": \"encoded_text\"}]},"
                + " \"loss_fn_inputs\": {\"target_tokens\": {\"data\": [2,3,4,5,6], \"dtype\": \"int64\", \"shape\": [5]},"
                + " \"weights\": {\"data\": [0.0,1.0,1.0,1.0,1.0], \"dtype\": \"float32\", \"shape\": [5]}}} ],"
                + " \"loss_fn\": \"" + lossFn + "\"}, \"model_id\": \"" + modelId + "\", \"seq_id\": " + seq + "}";
    }

    @Test
    void capabilitiesListTheModel() throws Exception {
        JsonNode caps = json(server.get("get_server_capabilities"));
        java.util.List<String> names = new java.util.ArrayList<>();
        caps.get("supported_models").forEach(m -> {
            names.add(m.get("model_name").asText());
            assertThat(m.get("max_context_length").asInt()).isPositive();
        });
        assertThat(names).containsExactlyInAnyOrder("tiny", "tiny-moe");
    }

    @Test
    void trainingOverJsonLowersTheLossAndAnswersInTheSdkShapes() throws Exception {
        String model = createModel(0);
        assertThat(model).isEqualTo(session + ":train:0");
        double first = 0;
        double last = 0;
        int seq = 1;
        for (int step = 0; step < 6; step++) {
            HttpResponse<byte[]> fb = server.post("forward_backward", fwdBwdJson(model, seq++, "cross_entropy"));
            HttpResponse<byte[]> opt = server.post("optim_step", "{\"adam_params\": {\"learning_rate\": 0.01, \"beta1\": 0.9,"
                    + " \"beta2\": 0.95, \"eps\": 1e-12, \"weight_decay\": 0.0, \"grad_clip_norm\": 0.0}, \"model_id\": \"" + model
                    + "\", \"seq_id\": " + seq++ + ", \"type\": \"optim_step\"}");
            JsonNode out = result(fb);
            assertThat(out.has("error")).isFalse();
            assertThat(out.get("loss_fn_output_type").asText()).isNotEmpty();
            JsonNode lp = out.get("loss_fn_outputs").get(0).get("logprobs");
            assertThat(lp.get("dtype").asText()).isEqualTo("float32");
            assertThat(lp.get("shape").get(0).asInt()).isEqualTo(5);
            assertThat(lp.get("data")).hasSize(5);
            double loss = out.get("metrics").get("loss:sum").asDouble();
            out.get("metrics").fieldNames().forEachRemaining(k -> assertThat(k.chars().filter(c -> c == ':').count()).isEqualTo(1));
            if (step == 0) {
                first = loss;
            }
            last = loss;
            assertThat(result(opt).has("error")).isFalse();
        }
        assertThat(last).isLessThan(first);
    }

    @Test
    void outOfOrderAndResentSeqIdsRunInOrderAndReturnTheOriginalFuture() throws Exception {
        String model = createModel(1);
        HttpResponse<byte[]> second = server.post("forward_backward", fwdBwdJson(model, 2, "cross_entropy"));
        HttpResponse<byte[]> again = server.post("forward_backward", fwdBwdJson(model, 2, "cross_entropy"));
        assertThat(json(again).get("request_id").asText()).isEqualTo(json(second).get("request_id").asText());
        HttpResponse<byte[]> first = server.post("forward_backward", fwdBwdJson(model, 1, "cross_entropy"));
        double l1 = result(first).get("metrics").get("loss:sum").asDouble();
        double l2 = result(second).get("metrics").get("loss:sum").asDouble();
        // No optim_step between them: gradients accumulate but the weights and so the loss stay the same.
        assertThat(l2).isCloseTo(l1, org.assertj.core.data.Offset.offset(1e-6 * Math.abs(l1)));
    }

    @Test
    void protobufZstdForwardBackwardAndProtobufResult() throws Exception {
        String model = createModel(2);
        ForwardBackwardInput input = new ForwardBackwardInput(List.of(new Datum(ModelInput.ofTokens(1, 2, 3),
                Map.of("target_tokens", TensorData.ofLongs(new long[]{2, 3, 4}, 3),
                        "weights", TensorData.ofFloats(new float[]{1, 1, 1}, 3)))), "cross_entropy", null, false);
        byte[] proto = WireProto.encodeForwardBackwardRequest(new ForwardBackwardRequest(input, model, 1));
        byte[] compressed = com.github.luben.zstd.Zstd.compress(proto);
        HttpResponse<byte[]> submit = server.post("forward_backward", compressed, WireProto.CONTENT_TYPE,
                List.of("Content-Encoding", "zstd"));
        assertThat(submit.statusCode()).as(new String(submit.body())).isEqualTo(200);
        HttpResponse<byte[]> r = await(json(submit).get("request_id").asText(), WireProto.CONTENT_TYPE);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).contains(WireProto.CONTENT_TYPE);
        ForwardBackwardOutput out = WireProto.decodeForwardBackwardOutput(r.body());
        assertThat(out.lossFnOutputs()).hasSize(1);
        assertThat(out.lossFnOutputs().getFirst().get("logprobs").toFloats()).hasSize(3);
        assertThat(out.metrics()).containsKey("loss:sum");
        assertThat(ContentEncoding.isUnsupported("br")).isTrue();
    }

    @Test
    void samplingFromASavedAdapterWithPromptLogprobs() throws Exception {
        String model = createModel(3);
        result(server.post("forward_backward", fwdBwdJson(model, 1, "cross_entropy")));
        result(server.post("optim_step", "{\"adam_params\": {\"learning_rate\": 0.01}, \"model_id\": \"" + model + "\", \"seq_id\": 2}"));
        JsonNode saved = result(server.post("save_weights_for_sampler", "{\"model_id\": \"" + model
                + "\", \"path\": \"s1\", \"seq_id\": 3, \"type\": \"save_weights_for_sampler\"}"));
        String path = saved.get("path").asText();
        assertThat(path).isEqualTo("tinker://" + model + "/sampler_weights/s1");
        JsonNode sess = json(server.post("create_sampling_session", "{\"session_id\": \"" + session
                + "\", \"sampling_session_seq_id\": 0, \"model_path\": \"" + path + "\", \"type\": \"create_sampling_session\"}"));
        String sampler = sess.get("sampling_session_id").asText();
        JsonNode sample = result(server.post("asample", "{\"sampling_session_id\": \"" + sampler + "\", \"seq_id\": 0,"
                + " \"num_samples\": 2, \"prompt\": {\"chunks\": [{\"tokens\": [1,2,3], \"type\": \"encoded_text\"}]},"
                + " \"sampling_params\": {\"max_tokens\": 5, \"seed\": 7, \"temperature\": 1.0, \"top_k\": -1, \"top_p\": 1.0},"
                + " \"prompt_logprobs\": true, \"topk_prompt_logprobs\": 2, \"type\": \"sample\"}"));
        assertThat(sample.has("error")).isFalse();
        assertThat(sample.get("sequences")).hasSize(2);
        assertThat(sample.get("sequences").get(0).get("tokens")).hasSize(5);
        assertThat(sample.get("sequences").get(0).get("stop_reason").asText()).isEqualTo("length");
        assertThat(sample.get("prompt_logprobs").get(0).isNull()).isTrue();
        assertThat(sample.get("prompt_logprobs").get(1).asDouble()).isNegative();
        assertThat(sample.get("topk_prompt_logprobs").get(0).isNull()).isTrue();
        assertThat(sample.get("topk_prompt_logprobs").get(1)).hasSize(2);
        JsonNode info = json(server.get("samplers/" + sampler));
        assertThat(info.get("base_model").asText()).isEqualTo("tiny");
    }

    @Test
    void loadWeightsAddressedToASessionCreatesTheRunFromTheCheckpoint() throws Exception {
        String model = createModel(5);
        result(server.post("forward_backward", fwdBwdJson(model, 1, "cross_entropy")));
        result(server.post("optim_step", "{\"adam_params\": {\"learning_rate\": 0.05}, \"model_id\": \"" + model + "\", \"seq_id\": 2}"));
        String path = result(server.post("save_weights", "{\"model_id\": \"" + model + "\", \"path\": \"cv\", \"seq_id\": 3}")).get("path").asText();
        double expected = result(server.post("forward", fwdBwdJson(model, 4, "cross_entropy").replace("forward_backward_input", "forward_input")))
                .get("metrics").get("loss:sum").asDouble();

        JsonNode created = result(server.post("load_weights", "{\"session_id\": \"" + session + "\", \"model_seq_id\": 6,"
                + " \"path\": \"" + path + "\", \"optimizer\": true, \"type\": \"load_weights\"}"));
        assertThat(created.has("error")).as(created.toString()).isFalse();
        String copy = created.get("model_id").asText();
        assertThat(copy).isEqualTo(session + ":train:6");
        double got = result(server.post("forward", fwdBwdJson(copy, 1, "cross_entropy").replace("forward_backward_input", "forward_input")))
                .get("metrics").get("loss:sum").asDouble();
        assertThat(got).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6 * Math.abs(expected)));
    }

    @Test
    void badInputGetsClearErrorsAndTheServerKeepsServing() throws Exception {
        HttpResponse<byte[]> malformed = server.post("create_session", "{not json");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed).get("detail").asText()).isNotEmpty();
        HttpResponse<byte[]> noKey = server.send(HttpRequest.newBuilder(URI.create(server.base + "get_server_capabilities")).GET().build());
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(server.post("retrieve_future", "{\"request_id\": \"nope\"}").statusCode()).isEqualTo(404);
        assertThat(server.post("forward_backward", fwdBwdJson("nope:train:0", 1, "cross_entropy")).statusCode()).isEqualTo(404);

        String model = createModel(4);
        HttpResponse<byte[]> unknownLoss = server.post("forward_backward", fwdBwdJson(model, 1, "made_up"));
        JsonNode failed = json(await(json(unknownLoss).get("request_id").asText(), null));
        assertThat(failed.get("category").asText()).isEqualTo("user");
        assertThat(failed.get("error").asText()).contains("made_up");
        String outOfVocab = fwdBwdJson(model, 2, "cross_entropy").replace("[1,2,3,4,5]", "[1,2,3,4,99999]");
        JsonNode failed2 = json(await(json(server.post("forward_backward", outOfVocab)).get("request_id").asText(), null));
        assertThat(failed2.get("error").asText()).contains("outside the vocabulary");
        String nan = fwdBwdJson(model, 3, "cross_entropy").replace("[0.0,1.0,1.0,1.0,1.0]", "[0.0,NaN,1.0,1.0,1.0]");
        HttpResponse<byte[]> nanResponse = server.post("forward_backward", nan);
        assertThat(nanResponse.statusCode()).isEqualTo(400);
        assertThat(json(nanResponse).get("detail").asText()).isNotBlank();
        String wrongShape = fwdBwdJson(model, 4, "cross_entropy").replace("\"shape\": [5]}}", "\"shape\": [4]}}");
        HttpResponse<byte[]> shapeResponse = server.post("forward_backward", wrongShape);
        assertThat(shapeResponse.statusCode()).isEqualTo(400);
        assertThat(json(shapeResponse).get("detail").asText()).contains("shape");
        String unknownKey = fwdBwdJson(model, 5, "ppo").replace("\"loss_fn\": \"ppo\"", "\"loss_fn\": \"ppo\", \"loss_fn_config\": {\"clip_lo\": 0.5}");
        JsonNode keyFailure = json(await(json(server.post("forward_backward", unknownKey)).get("request_id").asText(), null));
        assertThat(keyFailure.get("error").asText()).contains("clip_lo");
        byte[] huge = new byte[20 << 20];
        java.util.Arrays.fill(huge, (byte) ' ');
        HttpResponse<byte[]> oversized = server.post("create_session", huge, "application/json", List.of());
        assertThat(oversized.statusCode()).as(new String(oversized.body())).isEqualTo(413);
        // A malformed body that still names its model and seq_id answers 400 and consumes the seq_id, so the next
        // request runs without waiting for a gap to time out.
        String malformedFb = fwdBwdJson(model, 6, "cross_entropy").replace("\"dtype\": \"int64\"", "\"dtype\": \"complex\"");
        assertThat(server.post("forward_backward", malformedFb).statusCode()).isEqualTo(400);
        JsonNode ok = result(server.post("forward_backward", fwdBwdJson(model, 7, "cross_entropy")));
        assertThat(ok.get("metrics").get("loss:sum").asDouble()).isPositive();
        assertThat(json(server.get("healthz")).get("status").asText()).isEqualTo("ok");
    }
}
