package dev.luthier.cli.checkpoints;

import dev.luthier.api.json.WireJson;
import dev.luthier.api.rest.Checkpoint;
import dev.luthier.api.rest.CheckpointsResponse;
import dev.luthier.cli.connect.RemoteOptions;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.rest.RestClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code luthier checkpoints list|download|publish|unpublish|ttl|delete}: a server's checkpoints through the SDK's
 * {@link RestClient}. A checkpoint is named by its {@code tinker://RUN/weights/NAME} (or {@code sampler_weights})
 * path.
 */
@Command(name = "checkpoints", mixinStandardHelpOptions = true,
        description = "List, download, publish, expire and delete checkpoints on a server.",
        subcommands = {CheckpointsCommand.ListCheckpoints.class, CheckpointDownload.class, CheckpointsCommand.Publish.class,
                CheckpointsCommand.Unpublish.class, CheckpointsCommand.Ttl.class, CheckpointsCommand.Delete.class})
public final class CheckpointsCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The checkpoints of one run, or of all your runs.")
    static final class ListCheckpoints implements Callable<Integer> {
        @Mixin
        RemoteOptions remote;

        @Parameters(arity = "0..1", paramLabel = "RUN", description = "a training run id (default: all your runs)")
        String run;

        @Option(names = "--json", description = "print the checkpoints as a JSON array")
        boolean json;

        @Override
        public Integer call() {
            try (ServiceClient service = remote.connect()) {
                RestClient rest = service.createRestClient();
                List<Checkpoint> all = new ArrayList<>();
                if (run != null) {
                    all.addAll(rest.listCheckpoints(run).checkpoints());
                } else {
                    int offset = 0;
                    while (true) {
                        CheckpointsResponse page = rest.listUserCheckpoints(100, offset);
                        all.addAll(page.checkpoints());
                        offset += page.checkpoints().size();
                        if (page.checkpoints().isEmpty() || page.cursor() == null || offset >= page.cursor().totalCount()) {
                            break;
                        }
                    }
                }
                if (json) {
                    System.out.println(WireJson.writeString(all));
                    return 0;
                }
                if (all.isEmpty()) {
                    System.out.println("no checkpoints");
                    return 0;
                }
                DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
                System.out.printf("%-72s %10s %-6s %-20s %s%n", "PATH", "SIZE", "PUBLIC", "CREATED", "EXPIRES");
                for (Checkpoint c : all) {
                    System.out.printf("%-72s %10s %-6s %-20s %s%n", c.tinkerPath(), size(c.sizeBytes()),
                            Boolean.TRUE.equals(c.isPublic()) ? "yes" : "no", time.format(c.time()),
                            c.expiresAt() == null ? "never" : time.format(c.expiresAt()));
                }
            }
            return 0;
        }

        private static String size(Long n) {
            if (n == null) {
                return "-";
            }
            return n < 1000 ? n + " B" : n < 1_000_000 ? String.format(java.util.Locale.ROOT, "%.1f kB", n / 1e3)
                    : String.format(java.util.Locale.ROOT, "%.1f MB", n / 1e6);
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true, description = "Make a checkpoint readable by every user of the server.")
    static final class Publish implements Callable<Integer> {
        @Mixin
        RemoteOptions remote;

        @Parameters(paramLabel = "PATH", description = "tinker://RUN/weights/NAME or tinker://RUN/sampler_weights/NAME")
        String path;

        @Override
        public Integer call() {
            try (ServiceClient service = remote.connect()) {
                service.createRestClient().publishCheckpoint(path);
            }
            System.out.println("published " + path);
            return 0;
        }
    }

    @Command(name = "unpublish", mixinStandardHelpOptions = true, description = "Make a published checkpoint private again.")
    static final class Unpublish implements Callable<Integer> {
        @Mixin
        RemoteOptions remote;

        @Parameters(paramLabel = "PATH", description = "the checkpoint's tinker:// path")
        String path;

        @Override
        public Integer call() {
            try (ServiceClient service = remote.connect()) {
                service.createRestClient().unpublishCheckpoint(path);
            }
            System.out.println("unpublished " + path);
            return 0;
        }
    }

    @Command(name = "ttl", mixinStandardHelpOptions = true,
            description = "Expire a checkpoint SECONDS from now, or never (none).")
    static final class Ttl implements Callable<Integer> {
        @Mixin
        RemoteOptions remote;

        @Parameters(index = "0", paramLabel = "PATH", description = "the checkpoint's tinker:// path")
        String path;

        @Parameters(index = "1", paramLabel = "SECONDS", description = "seconds from now (positive), or none")
        String seconds;

        @Override
        public Integer call() {
            Long ttl;
            if (seconds.equalsIgnoreCase("none")) {
                ttl = null;
            } else {
                try {
                    ttl = Long.parseLong(seconds);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("SECONDS must be a whole number of seconds or none, got " + seconds);
                }
                if (ttl <= 0) {
                    throw new IllegalArgumentException("SECONDS must be positive (or none to never expire), got " + seconds);
                }
            }
            try (ServiceClient service = remote.connect()) {
                service.createRestClient().setCheckpointTtl(path, ttl);
            }
            System.out.println(ttl == null ? path + " never expires" : path + " expires in " + ttl + " s");
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete checkpoints.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        RemoteOptions remote;

        @Parameters(arity = "1..*", paramLabel = "PATH", description = "checkpoints' tinker:// paths")
        List<String> paths;

        @Override
        public Integer call() {
            try (ServiceClient service = remote.connect()) {
                RestClient rest = service.createRestClient();
                for (String p : paths) {
                    rest.deleteCheckpoint(p);
                    System.out.println("deleted " + p);
                }
            }
            return 0;
        }
    }

}
