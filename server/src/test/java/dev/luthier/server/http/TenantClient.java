package dev.luthier.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Raw HTTP calls to a {@link TestServer} with one API key (or none), for the multi-tenant tests. */
final class TenantClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    final TestServer server;
    final String key;

    TenantClient(TestServer server, String key) {
        this.server = server;
        this.key = key;
    }

    HttpResponse<byte[]> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base + path)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("X-API-Key", key);
        }
        return server.send(b.build());
    }

    int status(String method, String path, String body) throws Exception {
        return call(method, path, body).statusCode();
    }

    /** A 200 answer's JSON; fails the test on any other status. */
    JsonNode ok(String method, String path, String body) throws Exception {
        HttpResponse<byte[]> r = call(method, path, body);
        if (r.statusCode() != 200) {
            throw new AssertionError(method + " " + path + " answered " + r.statusCode() + ": " + new String(r.body()));
        }
        return JSON.readTree(r.body());
    }

    JsonNode post(String path, String body) throws Exception {
        return ok("POST", path, body);
    }

    JsonNode get(String path) throws Exception {
        return ok("GET", path, null);
    }

    /** Submits and polls the future to its end: the result, or the {"error", "category"} body. */
    JsonNode await(String path, String body) throws Exception {
        return poll(post(path, body).get("request_id").asText());
    }

    JsonNode poll(String requestId) throws Exception {
        for (int i = 0; i < 200; i++) {
            HttpResponse<byte[]> r = call("POST", "retrieve_future", "{\"request_id\": \"" + requestId + "\"}");
            if (r.statusCode() == 200) {
                return JSON.readTree(r.body());
            }
            if (r.statusCode() != 408) {
                throw new AssertionError("retrieve_future answered " + r.statusCode() + ": " + new String(r.body()));
            }
        }
        throw new AssertionError("request " + requestId + " never finished");
    }

    String createSession() throws Exception {
        return post("create_session", "{\"tags\": [], \"sdk_version\": \"0.24.1\", \"user_metadata\": {\"team\": \"" + key.substring(0, 8) + "\"}}")
                .get("session_id").asText();
    }

    String createModel(String session, int seq) throws Exception {
        JsonNode r = await("create_model", "{\"session_id\": \"" + session + "\", \"model_seq_id\": " + seq
                + ", \"base_model\": \"tiny\", \"lora_config\": {\"rank\": 4, \"seed\": 3}, \"type\": \"create_model\"}");
        if (r.has("error")) {
            throw new AssertionError("create_model failed: " + r);
        }
        return r.get("model_id").asText();
    }

    /** A forward_backward (or forward) of datums with these token sequences, next-token targets, all weights 1. */
    static String batch(String modelId, int seq, boolean forwardOnly, int[]... datums) {
        StringBuilder data = new StringBuilder();
        for (int[] tokens : datums) {
            StringBuilder in = new StringBuilder();
            StringBuilder targets = new StringBuilder();
            StringBuilder weights = new StringBuilder();
            for (int i = 0; i < tokens.length; i++) {
                String sep = i == 0 ? "" : ",";
                in.append(sep).append(tokens[i]);
                targets.append(sep).append((tokens[i] + 1) % 96);
                weights.append(sep).append("1.0");
            }
            data.append(data.isEmpty() ? "" : ",").append("{\"model_input\": {\"chunks\": [{\"tokens\": [").append(in)
                    .append("], \"type\": \"encoded_text\"}]}, \"loss_fn_inputs\": {\"target_tokens\": {\"data\": [")
                    .append(targets).append("], \"dtype\": \"int64\", \"shape\": [").append(tokens.length)
                    .append("]}, \"weights\": {\"data\": [").append(weights).append("], \"dtype\": \"float32\", \"shape\": [")
                    .append(tokens.length).append("]}}}");
        }
        String input = forwardOnly ? "forward_input" : "forward_backward_input";
        return "{\"" + input + "\": {\"data\": [" + data + "], \"loss_fn\": \"cross_entropy\"}, \"model_id\": \"" + modelId
                + "\", \"seq_id\": " + seq + "}";
    }

    static String sampleRequest(String sampler, int seq, int[] prompt, int numSamples, int maxTokens) {
        StringBuilder p = new StringBuilder();
        for (int t : prompt) {
            p.append(p.isEmpty() ? "" : ",").append(t);
        }
        return "{\"sampling_session_id\": \"" + sampler + "\", \"seq_id\": " + seq + ", \"num_samples\": " + numSamples
                + ", \"prompt\": {\"chunks\": [{\"tokens\": [" + p + "], \"type\": \"encoded_text\"}]},"
                + " \"sampling_params\": {\"max_tokens\": " + maxTokens + ", \"seed\": 7, \"temperature\": 1.0, \"top_k\": -1,"
                + " \"top_p\": 1.0}, \"type\": \"sample\"}";
    }
}
