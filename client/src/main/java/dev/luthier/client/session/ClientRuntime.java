package dev.luthier.client.session;

import dev.luthier.api.future.UntypedApiFuture;
import dev.luthier.api.json.WireJson;
import dev.luthier.api.session.ClientConfigRequest;
import dev.luthier.api.session.ClientConfigResponse;
import dev.luthier.client.ClientOptions;
import dev.luthier.client.futures.FuturePoller;
import dev.luthier.client.http.HttpResult;
import dev.luthier.client.http.HttpTransport;
import dev.luthier.client.http.Retrying;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What every client of one {@code ServiceClient} shares: options, the HTTP transport, the server's
 * {@code client/config}, the virtual-thread executor that runs submits and pollers, and the lazily created session.
 * Internal to the SDK (public only because its parts live in sibling packages).
 */
public final class ClientRuntime implements AutoCloseable {
    private final ClientOptions options;
    private final HttpTransport transport;
    private final ExecutorService executor;
    private final FuturePoller poller;
    private final ClientConfigResponse config;
    private final SessionKeeper session;

    /** Connects: {@code POST client/config} must succeed before anything else (a 404 is fatal, 5xx are retried). */
    public ClientRuntime(ClientOptions options) {
        this.options = options;
        this.transport = new HttpTransport(options.baseUrl(), options.apiKey());
        this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("luthier-client-", 0).factory());
        try {
            this.config = postJson("client/config", new ClientConfigRequest(ClientOptions.SDK_VERSION))
                    .json(ClientConfigResponse.class);
        } catch (RuntimeException e) {
            executor.shutdownNow();
            transport.close();
            throw e;
        }
        this.poller = new FuturePoller(transport, executor, options.retry(), options.pollTimeout(), options.protobuf());
        this.session = new SessionKeeper(this);
    }

    public ClientOptions options() {
        return options;
    }

    public HttpTransport transport() {
        return transport;
    }

    public ExecutorService executor() {
        return executor;
    }

    public FuturePoller poller() {
        return poller;
    }

    public ClientConfigResponse config() {
        return config;
    }

    public SessionKeeper session() {
        return session;
    }

    /** Datums per forward_backward chunk: the server's {@code fwdbwd_max_chunk_len}, else 1024. */
    public int maxChunkLen() {
        return config.fwdbwdMaxChunkLen() != null && config.fwdbwdMaxChunkLen() > 0 ? config.fwdbwdMaxChunkLen() : 1024;
    }

    /** Estimated bytes per forward_backward chunk: the server's {@code fwdbwd_max_chunk_bytes_count}, else 5 000 000. */
    public long maxChunkBytes() {
        Long v = config.fwdbwdMaxChunkBytesCount();
        return v != null && v > 0 ? v : 5_000_000L;
    }

    /** A synchronous JSON POST with retries. */
    public HttpResult postJson(String path, Object body, String... headers) {
        byte[] bytes = WireJson.write(body);
        return send("POST", path, bytes, HttpTransport.JSON, headers);
    }

    /** A synchronous call with retries; {@code body} null sends none. */
    public HttpResult send(String method, String path, byte[] body, String contentType, String... headers) {
        return Retrying.call(options.retry(), method + " " + path,
                () -> transport.send(method, path, body, contentType, options.requestTimeout(), headers));
    }

    /** A synchronous call with retries whose redirect (3xx with {@code Location}) is the answer, not followed. */
    public HttpResult sendUnfollowed(String method, String path) {
        return Retrying.call(options.retry(), method + " " + path, r -> r.ok() || r.redirect(),
                () -> transport.sendUnfollowed(method, path, options.requestTimeout()));
    }

    /** Submits a request that answers {@code {"request_id"}} (with retries), then polls it. */
    public <T> CompletableFuture<T> submit(String path, Object body, String requestType, Class<T> resultType) {
        return CompletableFuture.supplyAsync(() -> postJson(path, body).json(UntypedApiFuture.class).requestId(), executor)
                .thenCompose(id -> poller.poll(id, requestType, resultType));
    }

    @Override
    public void close() {
        session.close();
        executor.shutdownNow();
        transport.close();
    }
}
