package dev.luthier.client.rest;

import dev.luthier.api.rest.ArchiveUrlResponse;
import dev.luthier.client.errors.LuthierException;
import dev.luthier.client.http.HttpResult;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reads the two answers of {@code GET …/checkpoints/{ckpt}/archive}: a redirect whose {@code Location} is the signed
 * link (with an optional {@code Expires} HTTP date, else 15 minutes from now), or 200 {@code {"url", "expires"}}.
 * A relative link is resolved against the request.
 */
final class ArchiveLinks {
    static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(15);

    private ArchiveLinks() {
    }

    static ArchiveUrlResponse read(URI requested, HttpResult r, Instant now) {
        if (r.redirect()) {
            String location = r.header("Location").orElseThrow().strip();
            Instant expires = r.header("Expires").map(v -> httpDate(v, requested)).orElse(now.plus(DEFAULT_LIFETIME));
            return new ArchiveUrlResponse(resolve(requested, location), expires);
        }
        ArchiveUrlResponse link = r.json(ArchiveUrlResponse.class);
        return new ArchiveUrlResponse(resolve(requested, link.url()), link.expires());
    }

    private static String resolve(URI requested, String link) {
        try {
            return requested.resolve(link).toString();
        } catch (IllegalArgumentException e) {
            throw new LuthierException("the archive link from " + requested + " is not a URL: " + link, e);
        }
    }

    private static Instant httpDate(String value, URI requested) {
        try {
            return ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            throw new LuthierException("the archive link from " + requested + " has an Expires header that is not an"
                    + " HTTP date: " + value, e);
        }
    }
}
