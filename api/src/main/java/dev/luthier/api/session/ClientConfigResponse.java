package dev.luthier.api.session;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Reply to {@code /client/config}. Every field is optional; a null field is left out and the SDK
 * uses its default (shown per field). {@link #recommended()} is what a Luthier server sends.
 */
public record ClientConfigResponse(
    /** default false: true makes the SDK exchange its key at {@code /auth/token}. */
    @JsonProperty("pjwt_auth_enabled") Boolean pjwtAuthEnabled,
    /** default "api_key". */
    @JsonProperty("credential_default_source") String credentialDefaultSource,
    /** default true: false keeps the SDK on plain httpx. */
    @JsonProperty("use_pyqwest_transport") Boolean usePyqwestTransport,
    /** default true: false submits forward_backward chunks one after another. */
    @JsonProperty("parallel_fwdbwd_chunks") Boolean parallelFwdbwdChunks,
    /** default false (≤0.24.1): true sends forward_backward as protobuf. */
    @JsonProperty("proto_write_fwdbwd") Boolean protoWriteFwdbwd,
    /** default false (0.22.3–0.24.1). */
    @JsonProperty("fwd_via_fwdbwd") Boolean fwdViaFwdbwd,
    /** default false: true zstd-compresses the protobuf body. */
    @JsonProperty("proto_compress_fwdbwd") Boolean protoCompressFwdbwd,
    /** default 1024 (0.25.0). */
    @JsonProperty("fwdbwd_max_chunk_len") Integer fwdbwdMaxChunkLen,
    /** default 5 000 000 (0.25.0). */
    @JsonProperty("fwdbwd_max_chunk_bytes_count") Long fwdbwdMaxChunkBytesCount,
    /** default 50 000 000 (0.25.0). */
    @JsonProperty("fwdbwd_dispatch_bytes_semaphore_size") Long fwdbwdDispatchBytesSemaphoreSize,
    /** default 10 MiB. */
    @JsonProperty("sample_dispatch_bytes_semaphore_size") Long sampleDispatchBytesSemaphoreSize,
    /** default 50 MiB. */
    @JsonProperty("inflight_response_bytes_semaphore_size") Long inflightResponseBytesSemaphoreSize,
    /** default 3600. */
    @JsonProperty("billing_exception_max_pause_duration_sec") Double billingExceptionMaxPauseDurationSec,
    /** default false. */
    @JsonProperty("sample_no_retries") Boolean sampleNoRetries,
    /** default true. */
    @JsonProperty("sample_enable_stuck_detection") Boolean sampleEnableStuckDetection,
    /** default 2000. */
    @JsonProperty("sample_max_concurrent_requests") Integer sampleMaxConcurrentRequests,
    /** default false (0.24.1+). */
    @JsonProperty("create_model_via_load_weights") Boolean createModelViaLoadWeights) {

  /** All defaults: {@code {}}. */
  public static ClientConfigResponse defaults() {
    return new ClientConfigResponse(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** The spec's recommendation for a self-hosted server: {@code {"use_pyqwest_transport": false}}. */
  public static ClientConfigResponse recommended() {
    return new ClientConfigResponse(null, null, false, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }
}
