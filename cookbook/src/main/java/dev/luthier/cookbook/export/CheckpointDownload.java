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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Downloads a checkpoint through the SDK: the server's signed archive link ({@code RestClient#getCheckpointArchiveUrl},
 * given as JSON or as a redirect), then the {@code .tar.gz} it points to, unpacked into a directory (the archive's top
 * folder, named after the checkpoint, is dropped).
 *
 * <p>The link needs no API key, so the archive request carries none: the key only goes to the API server. Redirects of
 * the link (storage often answers with one, to another host) are followed here, up to {@value #MAX_REDIRECTS}, never
 * from https to http.
 */
public final class CheckpointDownload {
    public static final int MAX_REDIRECTS = 10;

    private CheckpointDownload() {
    }

    /** Unpacks checkpoint {@code tinkerPath} into {@code dir} (created); returns the files written. */
    public static List<Path> download(RestClient rest, String tinkerPath, Path dir) throws IOException {
        ArchiveUrlResponse link = rest.getCheckpointArchiveUrl(tinkerPath);
        Path archive = Files.createTempFile("luthier-archive-", ".tar.gz");
        try {
            fetch(tinkerPath, link.url(), archive);
            try (InputStream in = Files.newInputStream(archive)) {
                return unpack(in, dir);
            }
        } finally {
            Files.deleteIfExists(archive);
        }
    }

    /** Fetches the archive of {@code what} from {@code url} into {@code file}, following redirects. */
    public static void fetch(String what, String url, Path file) throws IOException {
        URI at = parse(what, null, url);
        Set<URI> seen = new HashSet<>();
        try (HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(30)).build()) {
            for (int hops = 0; ; hops++) {
                if (!seen.add(at)) {
                    throw new IOException("downloading " + what + " failed: the link redirects in a loop (back to "
                            + withoutQuery(at) + ")");
                }
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(at).GET()
                        .header("User-Agent", "luthier-java-client").build(), HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream body = response.body()) {
                    int status = response.statusCode();
                    Optional<String> location = response.headers().firstValue("Location");
                    if (status >= 300 && status < 400 && location.isPresent()) {
                        if (hops == MAX_REDIRECTS) {
                            throw new IOException("downloading " + what + " failed: more than " + MAX_REDIRECTS
                                    + " redirects (the last from " + withoutQuery(at) + ")");
                        }
                        URI next = parse(what, at, location.get().strip());
                        if (at.getScheme().equals("https") && next.getScheme().equals("http")) {
                            throw new IOException("downloading " + what + " failed: " + withoutQuery(at)
                                    + " redirects from https to http (" + withoutQuery(next) + ")");
                        }
                        at = next;
                        continue;
                    }
                    if (status != 200) {
                        String text = new String(body.readNBytes(500), StandardCharsets.UTF_8).strip();
                        throw new IOException("downloading " + what + " from " + withoutQuery(at) + " failed: HTTP " + status
                                + (text.isEmpty() ? "" : " " + text));
                    }
                    Files.copy(body, file, StandardCopyOption.REPLACE_EXISTING);
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted downloading " + what, e);
        }
    }

    /** {@code url}, resolved against {@code base} when that is not null; only http and https are accepted. */
    private static URI parse(String what, URI base, String url) throws IOException {
        URI uri;
        try {
            uri = base == null ? URI.create(url) : base.resolve(url);
        } catch (IllegalArgumentException e) {
            throw new IOException("the archive link of " + what + " is not a URL: " + url, e);
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw new IOException("the archive link of " + what + " is not an http(s) URL: " + url);
        }
        return uri;
    }

    /** A signed link's query is its credential: left out of messages. */
    private static String withoutQuery(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
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
