package dev.luthier.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.server.storage.Storage;
import dev.luthier.server.storage.keys.ApiKey;
import dev.luthier.server.storage.tenants.Tenant;
import dev.luthier.server.tenants.IssuedKey;
import dev.luthier.server.tenants.TenantAdmin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code luthier keys create|list|revoke}: API keys, on the server's database or (create) through a running server's
 * admin route. A new key is printed once, on standard output; only its hash is stored.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Create, list and revoke API keys.",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
public final class KeysCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a key for a tenant and print it (once: it is not stored).")
    static final class Create implements Callable<Integer> {
        @Mixin
        DatabaseOptions db;
        @Option(names = "--tenant", required = true, description = "the tenant's name")
        String tenant;
        @Option(names = "--name", description = "what the key is for (default: key)")
        String name;
        @Option(names = "--admin", description = "the key may manage tenants and keys on a running server")
        boolean admin;
        @Option(names = "--server", description = "create it through this running server (e.g. http://127.0.0.1:8000) "
                + "instead of on the database")
        String server;
        @Option(names = "--admin-key", description = "an admin key of that server (default: $LUTHIER_ADMIN_KEY)")
        String adminKey;

        @Override
        public Integer call() throws Exception {
            String secret;
            String id;
            if (server != null) {
                JsonNode created = viaServer();
                secret = created.get("key").asText();
                id = created.get("id").asText();
            } else {
                try (Storage storage = db.open()) {
                    IssuedKey issued = new TenantAdmin(storage, Clock.systemUTC()).createKey(tenant, name, admin, null);
                    secret = issued.secret();
                    id = issued.key().id();
                }
            }
            System.out.println(secret);
            System.err.println("key " + id + " for tenant " + tenant + (admin ? " (admin)" : "")
                    + ": keep it now, it is not shown again");
            return 0;
        }

        private JsonNode viaServer() throws IOException, InterruptedException {
            String key = adminKey != null ? adminKey : System.getenv("LUTHIER_ADMIN_KEY");
            if (key == null) {
                throw new IllegalArgumentException("--server needs --admin-key (or LUTHIER_ADMIN_KEY)");
            }
            Map<String, Object> body = new HashMap<>();
            body.put("tenant", tenant);
            body.put("name", name);
            body.put("admin", admin);
            ObjectMapper json = new ObjectMapper();
            String base = server.endsWith("/") ? server : server + "/";
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "api/v1/admin/keys"))
                    .header("X-API-Key", key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build();
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new IOException("the server answered " + r.statusCode() + ": " + r.body());
                }
                return json.readTree(r.body());
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys (never the keys themselves).")
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        DatabaseOptions db;
        @Option(names = "--tenant", description = "only this tenant's keys")
        String tenant;

        @Override
        public Integer call() {
            try (Storage storage = db.open()) {
                Map<String, String> names = new HashMap<>();
                for (Tenant t : storage.tenants().list()) {
                    names.put(t.id(), t.name());
                }
                Table table = new Table("ID", "TENANT", "NAME", "ADMIN", "CREATED", "LAST USED", "REVOKED");
                for (ApiKey k : new TenantAdmin(storage, Clock.systemUTC()).keys(tenant)) {
                    table.add(k.id(), names.getOrDefault(k.tenantId(), k.tenantId()), k.name(), k.admin() ? "yes" : "no",
                            k.createdAt(), k.lastUsedAt(), k.revokedAt());
                }
                table.print(System.out);
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key; it fails from its next request.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        DatabaseOptions db;
        @Parameters(paramLabel = "ID", description = "the key's id (from keys list)")
        String id;

        @Override
        public Integer call() {
            try (Storage storage = db.open()) {
                ApiKey k = new TenantAdmin(storage, Clock.systemUTC()).revokeKey(id, null, null);
                System.out.println("revoked " + k.id() + " at " + k.revokedAt());
            }
            return 0;
        }
    }
}
