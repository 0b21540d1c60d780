package dev.luthier.api.future;

import com.fasterxml.jackson.databind.JsonNode;
import dev.luthier.api.WireFormatException;
import dev.luthier.api.json.WireJson;

/**
 * What a 200 JSON body from {@code retrieve_future} means, decided as the SDK decides it: a key
 * {@code error} is a failure, {@code "type": "try_again"} is pending, {@code "status":
 * "complete_metadata"} is a metadata peek, anything else is the result.
 */
public sealed interface FutureReply {
  record Pending(TryAgainResponse body) implements FutureReply {}

  record Failed(RequestFailedResponse body) implements FutureReply {}

  record Metadata(CompleteMetadataResponse body) implements FutureReply {}

  /** The result; bind it with {@link #as(Class)}. */
  record Done(JsonNode body) implements FutureReply {
    public <T> T as(Class<T> type) {
      return WireJson.convert(body, type);
    }
  }

  /** Classifies a 200 JSON body. */
  static FutureReply classify(byte[] body) {
    JsonNode node = WireJson.readTree(body);
    if (!node.isObject()) throw new WireFormatException("", "expected a JSON object");
    if (node.has("error")) {
      JsonNode error = node.get("error");
      JsonNode category = node.get("category");
      String cat = category == null || !category.isTextual() ? "unknown" : category.asText();
      ErrorCategory c = switch (cat) {
        case "user" -> ErrorCategory.USER;
        case "server" -> ErrorCategory.SERVER;
        default -> ErrorCategory.UNKNOWN;
      };
      return new Failed(new RequestFailedResponse(error.isTextual() ? error.asText() : error.toString(), c));
    }
    JsonNode type = node.get("type");
    if (type != null && TryAgainResponse.TYPE.equals(type.asText())) {
      return new Pending(WireJson.convert(node, TryAgainResponse.class));
    }
    JsonNode status = node.get("status");
    if (status != null && CompleteMetadataResponse.STATUS.equals(status.asText())) {
      return new Metadata(WireJson.convert(node, CompleteMetadataResponse.class));
    }
    return new Done(node);
  }
}
