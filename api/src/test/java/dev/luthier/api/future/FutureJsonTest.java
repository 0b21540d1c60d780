package dev.luthier.api.future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.luthier.api.json.WireJson;
import dev.luthier.api.training.CreateModelResponse;
import org.junit.jupiter.api.Test;

/** §4 of the wire spec. */
class FutureJsonTest {

  @Test
  void submitReply() {
    assertThat(WireJson.writeString(UntypedApiFuture.of("r1"))).isEqualTo("{\"request_id\":\"r1\"}");
    assertThat(WireJson.writeString(new UntypedApiFuture("r1", "S:train:0"))).isEqualTo("{\"request_id\":\"r1\",\"model_id\":\"S:train:0\"}");
    assertThatThrownBy(() -> WireJson.read("{\"model_id\": \"m\"}", UntypedApiFuture.class)).hasMessageContaining("request_id");
  }

  @Test
  void retrieveRequest() {
    RetrieveFutureRequest r = WireJson.read("{\"request_id\": \"r1\", \"allow_metadata_only\": true}", RetrieveFutureRequest.class);
    assertThat(r.requestId()).isEqualTo("r1");
    assertThat(r.allowMetadataOnly()).isTrue();
    assertThat(WireJson.read("{\"request_id\": \"r1\"}", RetrieveFutureRequest.class).allowMetadataOnly()).isFalse();
    assertThatThrownBy(() -> WireJson.read("{\"allow_metadata_only\": true}", RetrieveFutureRequest.class))
        .hasMessageContaining("request_id: required field is missing");
    assertThatThrownBy(() -> WireJson.read("{\"request_id\": 5}", RetrieveFutureRequest.class)).hasMessageContaining("request_id");
  }

  @Test
  void tryAgainBody() {
    assertThat(WireJson.readTree(WireJson.write(TryAgainResponse.active("r1"))))
        .isEqualTo(WireJson.readTree("{\"type\":\"try_again\",\"request_id\":\"r1\",\"queue_state\":\"active\"}".getBytes()));
    TryAgainResponse paused = new TryAgainResponse("r1", QueueState.PAUSED_CAPACITY, "short on capacity");
    assertThat(WireJson.writeString(paused)).contains("\"queue_state\":\"paused_capacity\"").contains("\"queue_state_reason\":\"short on capacity\"");
    assertThat(WireJson.read(WireJson.write(paused), TryAgainResponse.class)).isEqualTo(paused);
  }

  @Test
  void failureBody() {
    assertThat(WireJson.writeString(RequestFailedResponse.user("unknown loss_fn \"foo\"")))
        .isEqualTo("{\"error\":\"unknown loss_fn \\\"foo\\\"\",\"category\":\"user\"}");
    assertThat(WireJson.writeString(RequestFailedResponse.server("boom"))).contains("\"category\":\"server\"");
    assertThat(WireJson.read("{\"error\": \"x\", \"category\": \"weird\"}", RequestFailedResponse.class).category())
        .isEqualTo(ErrorCategory.UNKNOWN);
    assertThat(WireJson.read("{\"error\": \"x\"}", RequestFailedResponse.class).category()).isEqualTo(ErrorCategory.UNKNOWN);
  }

  @Test
  void metadataOnly() {
    assertThat(WireJson.readTree(WireJson.write(new CompleteMetadataResponse(1234))))
        .isEqualTo(WireJson.readTree("{\"status\":\"complete_metadata\",\"response_payload_size\":1234}".getBytes()));
  }

  @Test
  void classifiesRepliesAsTheSdkDoes() {
    assertThat(FutureReply.classify("{\"error\": \"bad\", \"category\": \"user\"}".getBytes()))
        .isEqualTo(new FutureReply.Failed(RequestFailedResponse.user("bad")));
    assertThat(FutureReply.classify("{\"error\": null}".getBytes())).isInstanceOf(FutureReply.Failed.class);
    assertThat(FutureReply.classify("{\"type\": \"try_again\", \"request_id\": \"r\", \"queue_state\": \"paused_rate_limit\"}".getBytes()))
        .isEqualTo(new FutureReply.Pending(new TryAgainResponse("r", QueueState.PAUSED_RATE_LIMIT, null)));
    assertThat(FutureReply.classify("{\"status\": \"complete_metadata\", \"response_payload_size\": 10}".getBytes()))
        .isEqualTo(new FutureReply.Metadata(new CompleteMetadataResponse(10)));
    FutureReply done = FutureReply.classify(WireJson.write(new CreateModelResponse("S:train:0")));
    assertThat(((FutureReply.Done) done).as(CreateModelResponse.class).modelId()).isEqualTo("S:train:0");
  }
}
