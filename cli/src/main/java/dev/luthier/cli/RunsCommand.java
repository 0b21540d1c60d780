package dev.luthier.cli;

import dev.luthier.api.json.WireJson;
import dev.luthier.api.rest.Checkpoint;
import dev.luthier.api.rest.TrainingRun;
import dev.luthier.cli.connect.RemoteOptions;
import dev.luthier.client.ServiceClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code luthier runs}: the caller's training runs on a server, newest first. */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "List your training runs on a server.")
public final class RunsCommand implements Callable<Integer> {
    private static final java.time.format.DateTimeFormatter TIME = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd HH:mm:ss").withZone(java.time.ZoneOffset.UTC);

    @Mixin
    RemoteOptions remote;

    @Option(names = "--json", description = "print the runs as a JSON array (the server's TrainingRun objects)")
    boolean json;

    @Override
    public Integer call() {
        try (ServiceClient service = remote.connect()) {
            List<TrainingRun> runs = service.createRestClient().listAllTrainingRuns();
            if (json) {
                System.out.println(WireJson.writeString(runs));
                return 0;
            }
            if (runs.isEmpty()) {
                System.out.println("no training runs");
                return 0;
            }
            System.out.printf("%-44s %-24s %5s %-20s %s%n", "RUN", "BASE MODEL", "RANK", "LAST REQUEST", "LAST CHECKPOINT");
            for (TrainingRun r : runs) {
                Checkpoint last = r.lastCheckpoint() != null ? r.lastCheckpoint() : r.lastSamplerCheckpoint();
                System.out.printf("%-44s %-24s %5s %-20s %s%n", r.trainingRunId(), r.baseModel(),
                        r.loraRank() == null ? "-" : r.loraRank().toString(), TIME.format(r.lastRequestTime()),
                        last == null ? "-" : last.checkpointId());
            }
        }
        return 0;
    }
}
