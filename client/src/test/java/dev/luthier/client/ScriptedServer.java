package dev.luthier.client;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fake server that answers each API path from a script (a queue of status/body pairs, the last one repeating) and
 * records every request body, to test the client's retry and polling rules exactly.
 */
final class ScriptedServer implements AutoCloseable {
    record Reply(int status, String body, Map<String, String> headers) {
        Reply(int status, String body) {
            this(status, body, Map.of());
        }
    }

    record Request(String method, String path, String body, Map<String, List<String>> headers) {
    }

    private final HttpServer http;
    private final Map<String, Deque<Reply>> scripts = new ConcurrentHashMap<>();
    final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

    ScriptedServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/api/v1/", exchange -> {
            String path = exchange.getRequestURI().getPath().substring("/api/v1/".length());
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(exchange.getRequestMethod(), path, body, Map.copyOf(exchange.getRequestHeaders())));
            Reply r;
            Deque<Reply> script = scripts.get(path);
            synchronized (this) {
                if (script == null || script.isEmpty()) {
                    r = new Reply(404, "{\"detail\": \"no script for " + path + "\"}");
                } else {
                    r = script.size() > 1 ? script.poll() : script.peek();
                }
            }
            byte[] bytes = r.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            r.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            exchange.sendResponseHeaders(r.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
            exchange.close();
        });
        http.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        http.start();
        on("client/config", 200, "{}");
        on("create_session", 200, "{\"session_id\": \"S\", \"type\": \"create_session\"}");
        on("session_heartbeat", 200, "{\"type\": \"session_heartbeat\"}");
    }

    /** Replaces the script of {@code path}: replies in order, the last one for ever after. */
    ScriptedServer on(String path, Object... statusBodyPairs) {
        Deque<Reply> q = new ArrayDeque<>();
        for (int i = 0; i + 1 < statusBodyPairs.length; i += 2) {
            q.add(new Reply((Integer) statusBodyPairs[i], (String) statusBodyPairs[i + 1]));
        }
        scripts.put(path, q);
        return this;
    }

    /** Replaces the script of {@code path} with these replies (the last one for ever after). */
    ScriptedServer on(String path, Reply... replies) {
        scripts.put(path, new ArrayDeque<>(List.of(replies)));
        return this;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    List<Request> to(String path) {
        synchronized (requests) {
            return requests.stream().filter(r -> r.path().equals(path)).toList();
        }
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
