package dev.luthier.api.session;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/** {@code POST /api/v1/auth/token} reply: {@code {"jwt": "<compact JWT>"}} (claims exp, sub, email). */
public record AuthTokenResponse(@JsonProperty(value = "jwt", required = true) String jwt) {
  public AuthTokenResponse {
    Fields.require(jwt, "jwt");
  }
}
