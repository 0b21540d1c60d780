package dev.luthier.cli.admin;

import dev.luthier.server.storage.Storage;
import dev.luthier.server.storage.tenants.Tenant;
import dev.luthier.server.storage.usage.UsageBucket;
import dev.luthier.server.storage.usage.UsageKind;
import dev.luthier.server.usage.Prices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code luthier usage}: metered usage per tenant and per training run (or sampling session), from the server's
 * database, and with {@code --prices} its cost.
 */
@Command(name = "usage", mixinStandardHelpOptions = true,
        description = "Print metered usage per tenant and training run: tokens trained, prefilled, sampled, checkpoints, storage.")
public final class UsageCommand implements Callable<Integer> {
    @Mixin
    DatabaseOptions db;

    @Option(names = "--tenant", description = "only this tenant (by name)")
    String tenant;

    @Option(names = "--since", description = "from this time: 2026-03-01, 2026-03-01T12:00:00Z, or an age such as 24h or 7d")
    String since;

    @Option(names = "--until", description = "before this time (same forms as --since)")
    String until;

    @Option(names = "--prices", description = "JSON file of prices per million tokens: {\"MODEL\": {\"train\": 0.4, \"prefill\": 0.1, \"sample\": 0.3}}")
    Path pricesFile;

    @Option(names = "--hourly", description = "one row per hour instead of one per run and kind")
    boolean hourly;

    private record Row(Instant hour, String tenant, String subject, String baseModel, UsageKind kind) {
    }

    @Override
    public Integer call() throws Exception {
        Instant now = Instant.now();
        Instant from = since == null ? null : time(since, now, "--since");
        Instant to = until == null ? null : time(until, now, "--until");
        Prices prices = pricesFile == null ? null : Prices.read(pricesFile);
        try (Storage storage = db.open()) {
            Map<String, String> names = new HashMap<>();
            for (Tenant t : storage.tenants().list()) {
                names.put(t.id(), t.name());
            }
            String tenantId = null;
            if (tenant != null) {
                tenantId = storage.tenants().findByName(tenant).map(Tenant::id)
                        .orElseThrow(() -> new IllegalArgumentException("no tenant named " + tenant));
            }
            List<UsageBucket> buckets = storage.usage().list(tenantId, from == null ? null : UsageBucket.hourOf(from), to);
            Map<Row, double[]> sums = new TreeMap<>(java.util.Comparator.comparing((Row r) -> r.hour() == null ? Instant.EPOCH : r.hour())
                    .thenComparing(Row::tenant).thenComparing(Row::subject).thenComparing(Row::baseModel).thenComparing(Row::kind));
            for (UsageBucket b : buckets) {
                Row row = new Row(hourly ? b.bucketStart() : null, names.getOrDefault(b.tenantId(), b.tenantId()), b.subjectId(),
                        b.baseModel(), b.kind());
                sums.computeIfAbsent(row, r -> new double[1])[0] += b.kind() == UsageKind.STORAGE ? b.gigabyteHours() : b.quantity();
            }
            Table table = prices == null
                    ? new Table(hourly ? new String[]{"HOUR (UTC)", "TENANT", "RUN / SAMPLER", "BASE MODEL", "KIND", "AMOUNT"}
                    : new String[]{"TENANT", "RUN / SAMPLER", "BASE MODEL", "KIND", "AMOUNT"})
                    : new Table(hourly ? new String[]{"HOUR (UTC)", "TENANT", "RUN / SAMPLER", "BASE MODEL", "KIND", "AMOUNT", "COST"}
                    : new String[]{"TENANT", "RUN / SAMPLER", "BASE MODEL", "KIND", "AMOUNT", "COST"});
            Map<String, double[]> totals = new LinkedHashMap<>();
            BigDecimal totalCost = BigDecimal.ZERO;
            boolean unpriced = false;
            for (var e : sums.entrySet()) {
                Row r = e.getKey();
                double amount = e.getValue()[0];
                String shown = amount(r.kind(), amount);
                totals.computeIfAbsent(r.kind().dbName(), k -> new double[1])[0] += amount;
                java.util.ArrayList<Object> cells = new java.util.ArrayList<>();
                if (hourly) {
                    cells.add(r.hour());
                }
                cells.addAll(List.of(r.tenant(), r.subject(), r.baseModel(), r.kind().dbName(), shown));
                if (prices != null) {
                    BigDecimal cost = costOf(prices, r, amount);
                    if (cost == null && isTokens(r.kind())) {
                        unpriced = true;
                    }
                    if (cost != null) {
                        totalCost = totalCost.add(cost);
                    }
                    cells.add(cost == null ? "-" : money(cost));
                }
                table.add(cells.toArray());
            }
            table.print(System.out);
            System.out.println();
            for (var e : totals.entrySet()) {
                System.out.println("total " + e.getKey() + ": " + amount(UsageKind.ofDbName(e.getKey()), e.getValue()[0]));
            }
            if (prices != null) {
                System.out.println("total cost: " + money(totalCost) + (unpriced ? " (some usage has no price in " + pricesFile + ")" : ""));
            }
        }
        return 0;
    }

    private static boolean isTokens(UsageKind k) {
        return k != UsageKind.CHECKPOINT && k != UsageKind.STORAGE;
    }

    private static BigDecimal costOf(Prices prices, Row r, double amount) {
        if (!isTokens(r.kind())) {
            return null;
        }
        return prices.cost(r.baseModel(), r.kind(), (long) amount).orElse(null);
    }

    private static String amount(UsageKind kind, double amount) {
        return kind == UsageKind.STORAGE ? String.format(Locale.ROOT, "%.6f GB-h", amount) : Long.toString((long) amount);
    }

    private static String money(BigDecimal cost) {
        return cost.setScale(6, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** An instant, a date (its midnight UTC) or an age before now ({@code 90m}, {@code 24h}, {@code 7d}). */
    static Instant time(String s, Instant now, String option) {
        try {
            if (s.matches("[0-9]+[mhd]")) {
                long n = Long.parseLong(s.substring(0, s.length() - 1));
                Duration age = switch (s.charAt(s.length() - 1)) {
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
                return now.minus(age);
            }
            if (s.length() == 10) {
                return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return java.time.OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a date (2026-03-01), a time (2026-03-01T12:00:00Z) or an age (24h, 7d), got " + s);
        }
    }
}
