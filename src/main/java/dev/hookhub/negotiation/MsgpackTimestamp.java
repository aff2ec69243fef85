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
}
