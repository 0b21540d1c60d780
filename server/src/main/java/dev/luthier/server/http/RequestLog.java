package dev.luthier.server.http;

import dev.luthier.server.tenants.Principal;
import io.javalin.http.Context;

import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A request id for every request ({@code X-Request-Id}: the client's when it sends a sane one, else a new one, echoed
 * in the response) and one structured log line per request:
 * {@code request_id=... method=POST path=/api/v1/forward_backward status=200 tenant=... duration_ms=3}.
 * Polls, heartbeats, health checks and scrapes are logged at FINE, everything else at INFO.
 */
final class RequestLog {
    static final String HEADER = "X-Request-Id";
    private static final Logger LOG = Logger.getLogger("dev.luthier.server.requests");

    private RequestLog() {
    }

    static void begin(Context ctx) {
        String id = ctx.header(HEADER);
        if (id == null || id.isEmpty() || id.length() > 100 || !id.matches("[A-Za-z0-9._:-]+")) {
            id = UUID.randomUUID().toString();
        }
        ctx.attribute("request_id", id);
        ctx.attribute("request_start", System.nanoTime());
        ctx.header(HEADER, id);
    }

    static void end(Context ctx) {
        String path = ctx.path();
        Level level = path.endsWith("/retrieve_future") || path.endsWith("/session_heartbeat") || path.endsWith("/healthz")
                || path.equals("/metrics") ? Level.FINE : Level.INFO;
        if (!LOG.isLoggable(level)) {
            return;
        }
        Long start = ctx.attribute("request_start");
        Principal p = ctx.attribute("principal");
        LOG.log(level, "request_id=" + ctx.attribute("request_id") + " method=" + ctx.method() + " path=" + path
                + " status=" + ctx.statusCode() + " tenant=" + (p == null ? "-" : p.accountTenant())
                + " duration_ms=" + (start == null ? "-" : Long.toString((System.nanoTime() - start) / 1_000_000)));
    }

    /** The id of the request being served, for log lines about it. */
    static String id(Context ctx) {
        return ctx.attribute("request_id");
    }
}
