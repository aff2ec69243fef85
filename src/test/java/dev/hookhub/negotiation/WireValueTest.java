package dev.hookhub.negotiation;

import dev.hookhub.support.Msgpack;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Payloads re-encoded token by token between the formats, MessagePack's own kinds included. */
class WireValueTest {

    @Test
    void jsonToMessagePackAndBack() {
        byte[] json = "{\"a\":[1,2.5,\"s\",null,true,{\"b\":-3}],\"big\":18446744073709551615}".getBytes(StandardCharsets.UTF_8);
        WireValue value = new WireValue(json, WireFormat.JSON);
        assertArrayEquals(json, value.encode(WireFormat.JSON), "the same format is the same bytes");
        byte[] msgpack = value.encode(WireFormat.MSGPACK);
        Map<String, Object> map = Msgpack.decodeMap(msgpack);
        assertEquals(Arrays.asList(1L, 2.5, "s", null, true, Map.of("b", -3L)), map.get("a"));
        assertEquals("{\"a\":[1,2.5,\"s\",null,true,{\"b\":-3}],\"big\":18446744073709551615}",
                new String(new WireValue(msgpack, WireFormat.MSGPACK).encode(WireFormat.JSON), StandardCharsets.UTF_8));
    }

    @Test
    void messagePackTimestampsBinariesAndExtensionsHaveATextForm() {
        // {"t": timestamp 1 s (fixext4 -1), "b": bin8 [1,2,3], "e": fixext1 type 7 [0x2a], "t12": timestamp ext8 12 bytes}
        byte[] msgpack = HexFormat.of().parseHex("84a174d6ff00000001a162c403010203a165d4072a"
                + "a3743132c70cff000003e8000000006553f100");
        String json = new String(new WireValue(msgpack, WireFormat.MSGPACK).encode(WireFormat.JSON), StandardCharsets.UTF_8);
        assertEquals("{\"t\":\"1970-01-01T00:00:01Z\",\"b\":\"AQID\",\"e\":\"Kg==\",\"t12\":\""
                + Instant.ofEpochSecond(1700000000L, 1000) + "\"}", json);
    }
}
