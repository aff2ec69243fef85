import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Writes COPY files of live subscriptions with real, decryptable signing secrets (AES-256-GCM under the
 * benchmark's key, the subscription id as associated data — the service's own layout), so a benchmark
 * can load hundreds of thousands of deletable subscriptions in seconds instead of creating them over HTTP.
 *
 *   java bench/Seed.java <encryption-key-base64> <org-id> <count> <out-prefix>
 *
 * writes <out-prefix>.subscriptions.copy, <out-prefix>.secrets.copy and <out-prefix>.ids.csv (id,secret).
 */
public class Seed {

    public static void main(String[] args) throws Exception {
        SecretKeySpec key = new SecretKeySpec(Base64.getDecoder().decode(args[0]), "AES");
        String org = args[1];
        int count = Integer.parseInt(args[2]);
        String prefix = args[3];
        SecureRandom random = new SecureRandom();
        long millis = System.currentTimeMillis() - count;
        try (BufferedWriter subs = Files.newBufferedWriter(Path.of(prefix + ".subscriptions.copy"));
                BufferedWriter secrets = Files.newBufferedWriter(Path.of(prefix + ".secrets.copy"));
                BufferedWriter ids = Files.newBufferedWriter(Path.of(prefix + ".ids.csv"))) {
            for (int i = 0; i < count; i++) {
                UUID id = uuidV7(millis + i, random);
                byte[] raw = new byte[32];
                random.nextBytes(raw);
                String secret = "whsec_" + Base64.getEncoder().encodeToString(raw);
                String name = "bench-" + i;
                subs.write(id + "\t" + org + "\t" + name + "\thttps://receiver.example.com/" + name
                        + "\t{order.created,order.paid}\tapplication/json\t{\"X-Team\": \"bench\"}\tt\t1"
                        + "\t2026-01-01 00:00:00+00\tbench\t2026-01-01 00:00:00+00\tbench\n");
                UUID secretId = uuidV7(millis + i, random);
                secrets.write(secretId + "\t" + id + "\twhk_" + secretId.toString().replace("-", "").substring(8, 24)
                        + "\t\\\\x" + HexFormat.of().formatHex(encrypt(key, id, secret, random))
                        + "\t2026-01-01 00:00:00+00\n");
                ids.write(id + "," + secret + "\n");
            }
        }
    }

    static byte[] encrypt(SecretKeySpec key, UUID id, String secret, SecureRandom random) throws Exception {
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        cipher.updateAAD(ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array());
        byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.allocate(12 + sealed.length).put(nonce).put(sealed).array();
    }

    static UUID uuidV7(long millis, SecureRandom random) {
        long msb = (millis << 16) | 0x7000L | random.nextInt(1 << 12);
        long lsb = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }
}
