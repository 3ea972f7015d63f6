// Decrypts one encrypted migrator bundle part (Tink streaming AEAD, AES256_GCM_HKDF_1MB) to stdout.
// Usage (Java 17+, Tink from Maven Central: com.google.crypto.tink:tink:1.18.0, no other jar needed):
//   java -cp tink-1.18.0.jar DecryptPart.java KEYFILE data/s1-000001.tar.zst.tink > s1-000001.tar.zst
// KEYFILE holds the 32-byte key as base64 or 64 hex digits, as given to `migrator bundle create --encrypt`.
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingKey;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingParameters;
import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import com.google.crypto.tink.util.SecretBytes;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

public class DecryptPart {
    public static void main(String[] args) throws Exception {
        String text = Files.readString(Path.of(args[0])).strip();
        byte[] key = text.matches("[0-9a-fA-F]{64}") ? java.util.HexFormat.of().parseHex(text) : Base64.getDecoder().decode(text);
        var params = AesGcmHkdfStreamingParameters.builder().setKeySizeBytes(32).setDerivedAesGcmKeySizeBytes(32)
                .setHkdfHashType(AesGcmHkdfStreamingParameters.HashType.SHA256).setCiphertextSegmentSizeBytes(1 << 20).build();
        var aead = AesGcmHkdfStreaming.create(AesGcmHkdfStreamingKey.create(params, SecretBytes.copyFrom(key, InsecureSecretKeyAccess.get())));
        String name = args[1].substring(args[1].indexOf("data/"));   // the associated data is the part's name in the bundle
        try (InputStream in = aead.newDecryptingStream(Files.newInputStream(Path.of(args[1])), name.getBytes("UTF-8"))) {
            in.transferTo(System.out);
        }
    }
}
