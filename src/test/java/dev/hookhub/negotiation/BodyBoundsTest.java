package dev.hookhub.negotiation;

import com.fasterxml.jackson.core.JsonFactory;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

import java.io.IOException;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bounds every body is held to before a parser builds anything: lying lengths, depth, value counts,
 * truncation and trailing data, for MessagePack byte by byte and for JSON; and the form decoder's faults.
 */
class BodyBoundsTest {

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(BodyBounds.jsonConstraints(1 << 20)).build();

    @Test
    void messagePackLengthsLargerThanTheBodyAreRefusedBeforeAnythingIsAllocated() {
        for (String hex : new String[] {
                "c63fffffff00", // bin32 of 1 GiB
                "db3fffffff00", // str32
                "c93fffffff0100", // ext32
                "c5ffff00", // bin16 past the end
                "d9ff41", // str8 past the end
                "dd7fffffff", // array32 of 2^31-1 values
                "df7fffffff", // map32
                "dcffff00", // array16
                "81a16bdb3fffffff", // a map whose value is a lying str32
                "d80100", // fixext16 cut short
                "cb0000", // float64 cut short
        }) {
            ProblemException e = assertThrows(ProblemException.class,
                    () -> BodyBounds.checkMsgpack(HexFormat.of().parseHex(hex)), hex);
            assertEquals(400, e.problem().status(), hex);
            assertTrue(e.problem().detail().startsWith("Malformed MessagePack body: "), e.problem().detail());
        }
    }

    @Test
    void messagePackDepthValuesTruncationTrailingDataAndTheUnusedByte() {
        assertDetail("nested deeper than 500 levels", () -> BodyBounds.checkMsgpack(nested(BodyBounds.MAX_DEPTH + 1)));
        assertDoesNotThrow(() -> BodyBounds.checkMsgpack(nested(BodyBounds.MAX_DEPTH)));

        byte[] many = new byte[5 + BodyBounds.MAX_VALUES];
        many[0] = (byte) 0xdd;
        many[1] = 0;
        many[2] = 0x01;
        many[3] = (byte) 0x86;
        many[4] = (byte) 0xa0; // 100,000 entries: with the array itself, one value too many
        assertDetail("holds more than 100000 values", () -> BodyBounds.checkMsgpack(many));

        assertDetail("truncated", () -> BodyBounds.checkMsgpack(HexFormat.of().parseHex("82a161")));
        assertDetail("unexpected data after the first value", () -> BodyBounds.checkMsgpack(HexFormat.of().parseHex("80c0")));
        assertDetail("byte 0xc1 at offset 1", () -> BodyBounds.checkMsgpack(HexFormat.of().parseHex("91c1")));
        assertDetail("holds no value", () -> BodyBounds.checkMsgpack(new byte[0]));
        for (String key : new String[] {"c0", "80", "9101", "d4072a", "c70107"}) {
            assertDetail("is not a string, number or boolean",
                    () -> BodyBounds.checkMsgpack(HexFormat.of().parseHex("81" + key + "01")));
        }
        assertDoesNotThrow(() -> BodyBounds.checkMsgpack(HexFormat.of().parseHex("840101c3c0c40141c0cb3ff000000000000001")));
    }

    @Test
    void everyWellFormedMessagePackValueKindPasses() throws IOException {
        MessageBufferPacker packer = MessagePack.newDefaultBufferPacker();
        packer.packMapHeader(9);
        packer.packString("s").packString("x".repeat(70_000));
        packer.packString("b").packBinaryHeader(3).writePayload(new byte[3]);
        packer.packString("i").packLong(Long.MIN_VALUE);
        packer.packString("u").packBigInteger(new java.math.BigInteger("18446744073709551615"));
        packer.packString("f").packFloat(1.5f);
        packer.packString("d").packDouble(2.5);
        packer.packString("t").packTimestamp(java.time.Instant.parse("2026-11-30T12:00:00.123456789Z"));
        packer.packString("e").packExtensionTypeHeader((byte) 7, 300).writePayload(new byte[300]);
        packer.packString("a").packArrayHeader(4).packNil().packBoolean(true).packInt(-3).packMapHeader(0);
        byte[] body = packer.toByteArray();
        assertDoesNotThrow(() -> BodyBounds.checkMsgpack(body));
    }

    @Test
    void jsonSharesTheBounds() {
        String deep = "[".repeat(BodyBounds.MAX_DEPTH + 1) + "]".repeat(BodyBounds.MAX_DEPTH + 1);
        assertDetail("500", () -> BodyBounds.checkJson(JSON, deep.getBytes()));
        String allowed = "[".repeat(BodyBounds.MAX_DEPTH) + "]".repeat(BodyBounds.MAX_DEPTH);
        assertDoesNotThrow(() -> BodyBounds.checkJson(JSON, allowed.getBytes()));
        String many = "[" + "0,".repeat(BodyBounds.MAX_VALUES) + "0]";
        assertDetail("holds more than 100000 values", () -> BodyBounds.checkJson(JSON, many.getBytes()));
        assertDetail("unexpected data after the first value", () -> BodyBounds.checkJson(JSON, "{} {}".getBytes()));
        assertDetail("truncated", () -> BodyBounds.checkJson(JSON, "{\"a\": [1, 2".getBytes()));
        assertDoesNotThrow(() -> BodyBounds.checkJson(JSON, "{\"a\": [1, {\"b\": null}], \"c\": \"d\"}".getBytes()));
        assertDoesNotThrow(() -> BodyBounds.checkJson(JSON, "17".getBytes()));
        assertDetail("not finite", () -> BodyBounds.checkJson(JSON, "{\"a\": [1e99999999]}".getBytes()));
        assertDetail("not finite", () -> BodyBounds.checkJson(JSON, "-1e400".getBytes()));
        assertDetail("not finite", () -> BodyBounds.checkMsgpack(HexFormat.of().parseHex("91cb7ff0000000000000")));
        assertDetail("not finite", () -> BodyBounds.checkMsgpack(HexFormat.of().parseHex("ca7fc00000")));
        assertDetail("a number is longer than 1000 characters", () -> BodyBounds.checkJson(JSON, "1".repeat(1001).getBytes()));
        ProblemException deeper = assertThrows(ProblemException.class,
                () -> BodyBounds.checkJson(JSON, "[".repeat(600).getBytes()));
        assertTrue(!deeper.problem().detail().contains("StreamReadConstraints"), deeper.problem().detail());
    }

    @Test
    void formsDecodeStrictlyOrAnswer400() {
        FormBody form = FormBody.parse("grant_type=client_credentials&client_id=a+b%2Fc&client_id=second&Secret=%C3%A9&flag"
                .getBytes());
        assertEquals("client_credentials", form.first("grant_type"));
        assertEquals("a b/c", form.first("client_id"));
        assertEquals("é", form.firstIgnoringCase("secret"));
        assertEquals("", form.first("flag"));
        assertEquals(null, form.first("secret"));
        for (String bad : new String[] {"%%%", "x=%G0", "=&=&%", "a=%", "a=%4", "a=%C3%28", "a=%FF"}) {
            ProblemException e = assertThrows(ProblemException.class, () -> FormBody.parse(bad.getBytes()), bad);
            assertEquals(400, e.problem().status(), bad);
            assertTrue(e.problem().detail().startsWith("Malformed form body: "), e.problem().detail());
        }
        assertDetail("holds more than 100000 values", () -> FormBody.parse("a&".repeat(60_000).getBytes()));
    }

    /** {@code depth} arrays, each holding the next, the innermost holding nil. */
    private static byte[] nested(int depth) {
        byte[] body = new byte[depth + 1];
        java.util.Arrays.fill(body, (byte) 0x91);
        body[depth] = (byte) 0xc0;
        return body;
    }

    private static void assertDetail(String expected, org.junit.jupiter.api.function.Executable check) {
        ProblemException e = assertThrows(ProblemException.class, check);
        assertEquals(400, e.problem().status());
        assertTrue(e.problem().detail().contains(expected), e.problem().detail());
    }
}
