package dev.luthier.client;

import dev.luthier.api.rest.ArchiveUrlResponse;
import dev.luthier.client.errors.ApiException;
import dev.luthier.client.errors.LuthierException;
import dev.luthier.client.http.RetryPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The two answers of the archive endpoint (wire spec §8): a redirect that is read, not followed, or JSON. */
class ArchiveLinkTest {
    private static final String CKPT = "tinker://run1/sampler_weights/final";
    private static final String ARCHIVE = "training_runs/run1/checkpoints/sampler_weights/final/archive";
    ScriptedServer api;
    ScriptedServer storage;
    ServiceClient service;

    @BeforeEach
    void start() throws Exception {
        api = new ScriptedServer();
        storage = new ScriptedServer();
        service = new ServiceClient(ClientOptions.of(api.baseUrl(), "tml-x")
                .withRetry(new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(2))));
    }

    @AfterEach
    void stop() {
        service.close();
        api.close();
        storage.close();
    }

    @Test
    void aRedirectIsTheLinkAndItsExpiresHeaderTheExpiry() {
        String signed = storage.baseUrl() + "/api/v1/blobs/ckpt.tar.gz?sig=abc";
        api.on(ARCHIVE, new ScriptedServer.Reply(503, "{}"), new ScriptedServer.Reply(302, "",
                Map.of("Location", signed, "Expires", "Wed, 21 Oct 2026 07:28:00 GMT")));
        ArchiveUrlResponse link = service.createRestClient().getCheckpointArchiveUrl(CKPT);
        assertThat(link.url()).isEqualTo(signed);
        assertThat(link.expires()).isEqualTo(Instant.parse("2026-10-21T07:28:00Z"));
        assertThat(api.to(ARCHIVE)).hasSize(2);   // the 503 was retried
        assertThat(storage.requests).as("the redirect is not followed").isEmpty();
        assertThat(api.to(ARCHIVE).getLast().headers().get("Accept")).containsExactly("application/json");
    }

    @Test
    void aRelativeRedirectWithoutExpiresLastsFifteenMinutes() {
        api.on(ARCHIVE, new ScriptedServer.Reply(307, "", Map.of("Location", "/files/ckpt.tar.gz?sig=x")));
        Instant before = Instant.now();
        ArchiveUrlResponse link = service.createRestClient().getCheckpointArchiveUrl(CKPT);
        Instant after = Instant.now();
        assertThat(link.url()).isEqualTo(api.baseUrl() + "/files/ckpt.tar.gz?sig=x");
        assertThat(link.expires()).isBetween(before.plus(Duration.ofMinutes(15)), after.plus(Duration.ofMinutes(15)));
    }

    @Test
    void theJsonFormIsReadAsItIs() {
        api.on(ARCHIVE, 200, "{\"url\": \"https://bucket.example/ckpt.tar.gz?sig=1\", \"expires\": \"2026-10-21T07:28:00Z\"}");
        ArchiveUrlResponse link = service.createRestClient().getCheckpointArchiveUrl(CKPT);
        assertThat(link.url()).isEqualTo("https://bucket.example/ckpt.tar.gz?sig=1");
        assertThat(link.expires()).isEqualTo(Instant.parse("2026-10-21T07:28:00Z"));
    }

    @Test
    void aRedirectWithoutLocationOrWithABadExpiresIsAnError() {
        api.on(ARCHIVE, 302, "");
        assertThatThrownBy(() -> service.createRestClient().getCheckpointArchiveUrl(CKPT))
                .isInstanceOf(ApiException.class).hasMessageContaining("302");
        api.on(ARCHIVE, new ScriptedServer.Reply(302, "", Map.of("Location", "/x", "Expires", "tomorrow")));
        assertThatThrownBy(() -> service.createRestClient().getCheckpointArchiveUrl(CKPT))
                .isInstanceOf(LuthierException.class).hasMessageContaining("Expires").hasMessageContaining("tomorrow");
        api.on(ARCHIVE, 404, "{\"detail\": \"checkpoint not found\"}");
        assertThatThrownBy(() -> service.createRestClient().getCheckpointArchiveUrl(CKPT))
                .isInstanceOf(ApiException.class).hasMessageContaining("404").hasMessageContaining("checkpoint not found");
    }
}
