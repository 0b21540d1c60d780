package dev.luthier.client.session;

import dev.luthier.api.session.CreateSessionRequest;
import dev.luthier.api.session.CreateSessionResponse;
import dev.luthier.api.session.SessionHeartbeatRequest;
import dev.luthier.client.http.HttpTransport;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The session of a {@code ServiceClient}: created on first need (REST-only use creates none, as SDK 0.24+), kept
 * alive by a heartbeat every {@code heartbeatInterval} on a daemon thread, and the two per-session counters:
 * {@code model_seq_id} for training clients and {@code sampling_session_seq_id} for samplers.
 */
public final class SessionKeeper implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SessionKeeper.class.getName());
    private final ClientRuntime runtime;
    private final AtomicInteger modelSeq = new AtomicInteger();
    private final AtomicInteger samplerSeq = new AtomicInteger();
    private volatile String sessionId;
    private Thread heartbeat;
    private volatile boolean closed;
    private volatile long lastHeartbeatOk = System.nanoTime();

    SessionKeeper(ClientRuntime runtime) {
        this.runtime = runtime;
    }

    /** The session id, creating the session (and starting the heartbeat) on the first call. */
    public String id() {
        String id = sessionId;
        if (id != null) {
            return id;
        }
        synchronized (this) {
            if (sessionId == null) {
                if (closed) {
                    throw new IllegalStateException("the client is closed");
                }
                var o = runtime.options();
                CreateSessionResponse r = runtime.postJson("create_session",
                        new CreateSessionRequest(o.tags(), o.userMetadata(), dev.luthier.client.ClientOptions.SDK_VERSION, o.projectId()))
                        .json(CreateSessionResponse.class);
                for (String m : new String[]{r.infoMessage(), r.warningMessage(), r.errorMessage()}) {
                    if (m != null && !m.isBlank()) {
                        LOG.info(m);
                    }
                }
                sessionId = r.sessionId();
                heartbeat = Thread.ofPlatform().daemon().name("luthier-heartbeat").start(this::beat);
            }
            return sessionId;
        }
    }

    /** True once a session exists. */
    public boolean started() {
        return sessionId != null;
    }

    public int nextModelSeqId() {
        id();
        return modelSeq.getAndIncrement();
    }

    public int nextSamplerSeqId() {
        id();
        return samplerSeq.getAndIncrement();
    }

    private void beat() {
        var o = runtime.options();
        byte[] body = dev.luthier.api.json.WireJson.write(new SessionHeartbeatRequest(sessionId));
        boolean warned = false;
        while (!closed) {
            try {
                Thread.sleep(o.heartbeatInterval());
            } catch (InterruptedException e) {
                return;
            }
            try {
                var r = runtime.transport().send("POST", "session_heartbeat", body, HttpTransport.JSON, o.heartbeatInterval());
                if (r.ok()) {
                    lastHeartbeatOk = System.nanoTime();
                    warned = false;
                    continue;
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // swallowed, as the Python SDK does; the warning below reports a long outage
            }
            if (!warned && System.nanoTime() - lastHeartbeatOk > 120_000_000_000L) {
                LOG.log(Level.WARNING, "no successful heartbeat for session " + sessionId + " in 120 s; the server may end the session");
                warned = true;
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (heartbeat != null) {
            heartbeat.interrupt();
        }
    }
}
