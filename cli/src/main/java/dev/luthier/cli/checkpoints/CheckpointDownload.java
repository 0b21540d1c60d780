package dev.luthier.cli.checkpoints;

import dev.luthier.api.ids.TinkerPath;
import dev.luthier.api.rest.ArchiveUrlResponse;
import dev.luthier.cli.connect.RemoteOptions;
import dev.luthier.client.ServiceClient;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;

/**
 * {@code luthier checkpoints download PATH}: asks the server for the checkpoint's signed archive link, fetches the
 * {@code .tar.gz} (following the link's redirects, see the cookbook's {@code CheckpointDownload}) and extracts it (its
 * entries sit under the checkpoint's name), or keeps the archive with {@code --archive}.
 */
@Command(name = "download", mixinStandardHelpOptions = true,
        description = "Download a checkpoint's files (extracted into OUTPUT/NAME, or as OUTPUT/NAME.tar.gz with --archive).")
final class CheckpointDownload implements Callable<Integer> {
    @Mixin
    RemoteOptions remote;

    @Parameters(paramLabel = "PATH", description = "the checkpoint's tinker:// path")
    String path;

    @Option(names = {"-o", "--output"}, description = "directory to write into (default: the current directory)")
    Path output = Path.of(".");

    @Option(names = "--archive", description = "keep the .tar.gz instead of extracting it")
    boolean keepArchive;

    @Override
    public Integer call() throws Exception {
        TinkerPath checkpoint = TinkerPath.parse(path);
        ArchiveUrlResponse link;
        try (ServiceClient service = remote.connect()) {
            link = service.createRestClient().getCheckpointArchiveUrl(path);
        }
        Files.createDirectories(output);
        Path archive = output.resolve(checkpoint.name() + ".tar.gz");
        Path partial = output.resolve(checkpoint.name() + ".tar.gz.part");
        try {
            dev.luthier.cookbook.export.CheckpointDownload.fetch(path, link.url(), partial);
        } catch (IOException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        if (keepArchive) {
            Files.move(partial, archive, StandardCopyOption.REPLACE_EXISTING);
            System.out.println("wrote " + archive + " (" + Files.size(archive) + " bytes)");
            return 0;
        }
        try {
            List<Path> files = extract(partial, output);
            System.out.println("extracted " + files.size() + " files into " + output.resolve(checkpoint.name()));
            for (Path f : files) {
                System.out.println("  " + output.relativize(f));
            }
        } finally {
            Files.deleteIfExists(partial);
        }
        return 0;
    }

    /** Extracts a .tar.gz under {@code dir}; an entry that would land outside it is an error. */
    static List<Path> extract(Path archive, Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        List<Path> written = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive)));
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path target = root.resolve(entry.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw new IOException("the archive has an entry outside its directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else if (entry.isFile()) {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                    written.add(target);
                }
            }
        }
        return written;
    }
}
