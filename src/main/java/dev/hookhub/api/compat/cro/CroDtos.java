package dev.hookhub.api.compat.cro;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.hookhub.negotiation.WireDateSerializer;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** CRO's wire shapes (seeds/cro-delete-hook.txt): snake_case keys, nulls written as null. */
public final class CroDtos {

    private CroDtos() {
    }

    /** CRO's WebhookModel as the delete answers it; its {@code secret} is never returned. */
    public record Webhook(
            @JsonProperty("deleted_at") @JsonSerialize(using = CroDate.class) Instant deletedAt,
            List<String> events,
            long id,
            @JsonProperty("last_http_fail") @JsonSerialize(using = CroDate.class) Instant lastHttpFail,
            @JsonProperty("last_http_success") @JsonSerialize(using = CroDate.class) Instant lastHttpSuccess,
            String url) {
    }

    /** {@code 2022-08-20T01:45:38.518903}: UTC without an offset, always six fraction digits. */
    public static final class CroDate extends WireDateSerializer {
        private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS")
                .withZone(ZoneOffset.UTC);

        @Override
        protected String format(Instant value) {
            return FORMAT.format(value);
        }
    }
}
