package dev.hookhub.negotiation;

import org.msgpack.jackson.dataformat.MessagePackExtensionType;
import org.msgpack.jackson.dataformat.MessagePackGenerator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Writes an instant as the MessagePack timestamp extension (type -1), in its smallest layout. */
public final class MsgpackTimestamp {

    public static final byte EXT_TYPE = -1;

    private MsgpackTimestamp() {
    }

    public static void write(MessagePackGenerator gen, Instant instant) throws IOException {
        gen.writeExtensionType(new MessagePackExtensionType(EXT_TYPE, encode(instant)));
    }

    static byte[] encode(Instant instant) {
        long seconds = instant.getEpochSecond();
        int nanos = instant.getNano();
        if (seconds >>> 34 == 0) {
            long data64 = ((long) nanos << 34) | seconds;
            if ((data64 & 0xffffffff00000000L) == 0) {
                return ByteBuffer.allocate(4).putInt((int) data64).array();
            }
            return ByteBuffer.allocate(8).putLong(data64).array();
        }
        return ByteBuffer.allocate(12).putInt(nanos).putLong(seconds).array();
    }

    /** The instant of a timestamp extension's data (4, 8 or 12 bytes); null for any other length. */
    static Instant decode(byte[] data) {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(data);
        return switch (data.length) {
            case 4 -> Instant.ofEpochSecond(buffer.getInt() & 0xffffffffL);
            case 8 -> {
                long word = buffer.getLong();
                yield Instant.ofEpochSecond(word & 0x3ffffffffL, word >>> 34);
            }
            case 12 -> {
                long nanos = buffer.getInt() & 0xffffffffL;
                yield nanos > 999_999_999 ? null : Instant.ofEpochSecond(buffer.getLong(), nanos);
            }
            default -> null;
        };
    }
}
