package dev.migrator.bundle;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingKey;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingParameters;
import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import com.google.crypto.tink.util.SecretBytes;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption at rest of a bundle's data parts with Tink's streaming AEAD, AES256-GCM-HKDF-SHA256 with
 * 1 MiB segments (Tink's {@code AES256_GCM_HKDF_1MB} template), from a 32-byte key the user keeps. Each
 * part's name is its associated data, so a part cannot be swapped for another unnoticed. The format is
 * Tink's documented streaming wire format; see docs/bundle-format.md for decrypting by hand.
 */
public final class Encryption {
    /** The scheme as written in the manifest. */
    public static final String SCHEME = "tink-streaming-aead:AES256_GCM_HKDF_1MB";
    /** Where the key is looked for when no key file is given. */
    public static final String KEY_ENV = "MIGRATOR_BUNDLE_KEY";

    private final StreamingAead aead;
    private final String keyCheck;

    private Encryption(byte[] key) {
        try {
            AesGcmHkdfStreamingParameters params = AesGcmHkdfStreamingParameters.builder()
                    .setKeySizeBytes(32).setDerivedAesGcmKeySizeBytes(32)
                    .setHkdfHashType(AesGcmHkdfStreamingParameters.HashType.SHA256)
                    .setCiphertextSegmentSizeBytes(1 << 20).build();
            aead = AesGcmHkdfStreaming.create(AesGcmHkdfStreamingKey.create(params,
                    SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get())));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            keyCheck = Digests.hex(mac.doFinal("migrator-bundle key check".getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (GeneralSecurityException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot set up encryption: " + e.getMessage(), e);
        }
    }

    /**
     * The key from {@code keyFile}, else from the environment variable {@value #KEY_ENV}: 32 bytes,
     * written as base64 (e.g. {@code openssl rand -base64 32}) or 64 hex digits.
     */
    public static Encryption load(Path keyFile) {
        String text;
        String where;
        if (keyFile != null) {
            where = "key file " + keyFile;
            try {
                text = Files.readString(keyFile, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw MigratorException.badInput("cannot read the " + where + ": " + e.getMessage());
            }
        } else {
            where = "environment variable " + KEY_ENV;
            text = System.getenv(KEY_ENV);
            if (text == null || text.isBlank()) {
                throw MigratorException.badInput("no encryption key: set " + KEY_ENV + " or give --key-file FILE"
                        + " (32 random bytes as base64, e.g. from 'openssl rand -base64 32')");
            }
        }
        return fromText(text.strip(), where);
    }

    static Encryption fromText(String text, String where) {
        byte[] key;
        try {
            key = text.matches("[0-9a-fA-F]{64}") ? HexFormat.of().parseHex(text) : Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            key = null;
        }
        if (key == null || key.length != 32) {
            throw MigratorException.badInput("the " + where + " does not hold a 32-byte key as base64 or 64 hex digits"
                    + " (make one with 'openssl rand -base64 32')");
        }
        return new Encryption(key);
    }

    /** An identifier of the key (not the key): lets a reader say "wrong key" instead of "damaged". */
    public String keyCheck() {
        return keyCheck;
    }

    OutputStream encrypt(OutputStream out, String partName) throws IOException {
        try {
            return aead.newEncryptingStream(out, partName.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encrypt " + partName + ": " + e.getMessage(), e);
        }
    }

    InputStream decrypt(InputStream in, String partName) throws IOException {
        try {
            return aead.newDecryptingStream(in, partName.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot decrypt " + partName + ": " + e.getMessage(), e);
        }
    }
}
