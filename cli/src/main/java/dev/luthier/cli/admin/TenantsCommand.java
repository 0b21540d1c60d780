package dev.luthier.cli.admin;

import dev.luthier.server.storage.Storage;
import dev.luthier.server.storage.tenants.Tenant;
import dev.luthier.server.tenants.TenantAdmin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Clock;
import java.util.concurrent.Callable;

/** {@code luthier tenants create|list|quota}: tenants, on the server's database. */
@Command(name = "tenants", mixinStandardHelpOptions = true, description = "Create and list tenants (organisations or teams).",
        subcommands = {TenantsCommand.Create.class, TenantsCommand.ListTenants.class, TenantsCommand.Quota.class})
public final class TenantsCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a tenant.")
    static final class Create implements Callable<Integer> {
        @Mixin
        DatabaseOptions db;
        @Parameters(paramLabel = "NAME", description = "the tenant's unique name")
        String name;
        @Option(names = "--max-training-runs", description = "training runs loaded at once (default: no limit)")
        Integer maxTrainingRuns;
        @Option(names = "--max-sampling-requests", description = "sampling requests in flight at once (default: no limit)")
        Integer maxSamplingRequests;

        @Override
        public Integer call() {
            try (Storage storage = db.open()) {
                Tenant t = new TenantAdmin(storage, Clock.systemUTC()).createTenant(name, maxTrainingRuns, maxSamplingRequests);
                System.out.println("created tenant " + t.name() + " (" + t.id() + ")");
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tenants with their quotas and keys.")
    static final class ListTenants implements Callable<Integer> {
        @Mixin
        DatabaseOptions db;

        @Override
        public Integer call() {
            try (Storage storage = db.open()) {
                Table table = new Table("NAME", "ID", "CREATED", "MAX RUNS", "MAX SAMPLING", "ACTIVE KEYS");
                for (Tenant t : storage.tenants().list()) {
                    long keys = storage.apiKeys().listByTenant(t.id()).stream().filter(k -> !k.revoked()).count();
                    table.add(t.name(), t.id(), t.createdAt(), t.maxTrainingRuns(), t.maxSamplingRequests(), keys);
                }
                table.print(System.out);
            }
            return 0;
        }
    }

    @Command(name = "quota", mixinStandardHelpOptions = true, description = "Set a tenant's quotas (omitted: no limit).")
    static final class Quota implements Callable<Integer> {
        @Mixin
        DatabaseOptions db;
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--max-training-runs")
        Integer maxTrainingRuns;
        @Option(names = "--max-sampling-requests")
        Integer maxSamplingRequests;

        @Override
        public Integer call() {
            try (Storage storage = db.open()) {
                new TenantAdmin(storage, Clock.systemUTC()).setQuotas(name, maxTrainingRuns, maxSamplingRequests);
                System.out.println("tenant " + name + ": max training runs " + (maxTrainingRuns == null ? "unlimited" : maxTrainingRuns)
                        + ", max sampling requests " + (maxSamplingRequests == null ? "unlimited" : maxSamplingRequests)
                        + " (a running server applies them within a minute)");
            }
            return 0;
        }
    }
}
