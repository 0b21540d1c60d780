package dev.luthier.cookbook.export;

import dev.luthier.api.rest.ArchiveUrlResponse;
import dev.luthier.client.rest.RestClient;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Downloads a checkpoint through the SDK: the server's signed archive link ({@code RestClient#getCheckpointArchiveUrl}),
 * then the {@code .tar.gz} it points to, unpacked into a directory (the archive's top folder, named after the
 * checkpoint, is dropped).
 */
public final class CheckpointDownload {
    private CheckpointDownload() {
    }

    /** Unpacks checkpoint {@code tinkerPath} into {@code dir} (created); returns the files written. */
    public static List<Path> download(RestClient rest, String tinkerPath, Path dir) throws IOException {
        ArchiveUrlResponse link = rest.getCheckpointArchiveUrl(tinkerPath);
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(HttpRequest.newBuilder(URI.create(link.url())).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted downloading " + tinkerPath, e);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("downloading " + tinkerPath + " failed: HTTP " + response.statusCode() + " "
                        + new String(body.readNBytes(500), java.nio.charset.StandardCharsets.UTF_8));
            }
            return unpack(body, dir);
        }
    }

    /** Unpacks a checkpoint {@code .tar.gz} into {@code dir}, dropping its top folder; refuses paths that escape it. */
    public static List<Path> unpack(InputStream tarGz, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path root = dir.toAbsolutePath().normalize();
        List<Path> written = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(new BufferedInputStream(tarGz)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (!entry.isFile()) {
                    continue;
                }
                String name = entry.getName();
                int slash = name.indexOf('/');
                String relative = slash >= 0 ? name.substring(slash + 1) : name;
                Path target = root.resolve(relative).normalize();
                if (relative.isEmpty() || !target.startsWith(root)) {
                    throw new IOException("the archive entry " + name + " would be written outside " + dir);
                }
                Files.createDirectories(target.getParent());
                Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                written.add(target);
            }
        }
        if (written.isEmpty()) {
            throw new IOException("the checkpoint archive holds no files");
        }
        return written;
    }
}
