package dev.migrator.provider.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.embedded.EmbeddedS3Server;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * What {@link S3Signer} sends over http, against S3Proxy (serve-s3's server): UNSIGNED-PAYLOAD only for a body
 * that carries a signed Content-MD5 or checksum, and the server still refuses such a body when it is changed on
 * the way (the checksum, not the signature, protects it).
 */
class S3SignerTest {
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static EmbeddedS3Server server;

    @BeforeAll
    static void start() {
        server = EmbeddedS3Server.inMemory();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Records every request sent; with {@code tamper}, flips one bit of every body on the way (same length). */
    private static final class Wire implements SdkHttpClient {
        final SdkHttpClient delegate = UrlConnectionHttpClient.create();
        final List<SdkHttpRequest> sent = new CopyOnWriteArrayList<>();
        volatile boolean tamper;

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            sent.add(request.httpRequest());
            if (!tamper || request.contentStreamProvider().isEmpty()) {
                return delegate.prepareRequest(request);
            }
            byte[] body;
            try (InputStream in = request.contentStreamProvider().get().newStream()) {
                body = in.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            body[body.length / 2] ^= 1;
            return delegate.prepareRequest(HttpExecuteRequest.builder().request(request.httpRequest())
                    .contentStreamProvider(() -> new ByteArrayInputStream(body)).build());
        }

        @Override
        public void close() {
            delegate.close();
        }

        String payloadHash() {
            return sent.get(sent.size() - 1).firstMatchingHeader("x-amz-content-sha256").orElse(null);
        }
    }

    private static String bucket() {
        String b = "signer-" + BUCKETS.incrementAndGet();
        server.createBucket(b);
        return b;
    }

    private static S3Client client(String bucket, String query, Wire wire) {
        S3Location loc = S3Location.parse(java.net.URI.create(server.s3Uri(bucket, "") + query));
        return S3ObjectStore.client(loc, S3ObjectStore.credentials(loc), wire);
    }

    private static byte[] random(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }

    private static String md5(byte[] data) {
        return Base64.getEncoder().encodeToString(dev.migrator.provider.Digests.md5().digest(data));
    }

    @Test
    void aBodyWithContentMd5GoesUnsignedAndArrivesIntact() throws Exception {
        String bucket = bucket();
        byte[] data = random(16384);
        try (Wire wire = new Wire(); S3Client s3 = client(bucket, "&checksums=when-required", wire)) {
            s3.putObject(b -> b.bucket(bucket).key("a//b").contentMD5(md5(data)), RequestBody.fromBytes(data));
            assertThat(wire.payloadHash()).isEqualTo(S3Signer.UNSIGNED_PAYLOAD);
            assertThat(wire.sent.get(wire.sent.size() - 1).protocol()).isEqualTo("http");
            assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("a//b")).asByteArray()).isEqualTo(data);
        }
    }

    @Test
    void aChangedBodyIsStillRefusedByTheServer() throws Exception {
        String bucket = bucket();
        byte[] data = random(20000);
        try (Wire wire = new Wire(); S3Client s3 = client(bucket, "&checksums=when-required", wire)) {
            wire.tamper = true;
            assertThatThrownBy(() -> s3.putObject(b -> b.bucket(bucket).key("k").contentMD5(md5(data)),
                    RequestBody.fromBytes(data)))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
            assertThat(wire.payloadHash()).isEqualTo(S3Signer.UNSIGNED_PAYLOAD);
            wire.tamper = false;
            assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).contents()).isEmpty();
        }
    }

    @Test
    void aBodyWithoutAChecksumIsStillSigned() throws Exception {
        String bucket = bucket();
        byte[] data = random(1000);
        try (Wire wire = new Wire(); S3Client s3 = client(bucket, "&checksums=when-required", wire)) {
            s3.putObject(b -> b.bucket(bucket).key("plain"), RequestBody.fromBytes(data));
            String hash = wire.payloadHash();
            assertThat(hash).isNotEqualTo(S3Signer.UNSIGNED_PAYLOAD).hasSize(64);
            assertThat(hash).isEqualTo(java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)));
            // and a changed body without a checksum is refused by the signature
            wire.tamper = true;
            assertThatThrownBy(() -> s3.putObject(b -> b.bucket(bucket).key("plain2"), RequestBody.fromBytes(data)))
                    .isInstanceOf(S3Exception.class);
        }
    }

    @Test
    void theStoresOwnPutGoesUnsignedWithItsChecksums() throws Exception {
        String bucket = bucket();
        byte[] data = random(5000);
        try (Wire wire = new Wire(); S3Client s3 = client(bucket, "", wire)) {
            // what S3ObjectStore.put sends with checksums=when-supported: Content-MD5 and a CRC32C
            s3.putObject(b -> b.bucket(bucket).key("sum").contentMD5(md5(data))
                    .checksumCRC32C(dev.migrator.provider.ChecksumDigest.of(java.util.Set.of(dev.migrator.provider.Capabilities.ChecksumKind.CRC32C), data).get(dev.migrator.provider.Capabilities.ChecksumKind.CRC32C)), RequestBody.fromBytes(data));
            assertThat(wire.payloadHash()).isEqualTo(S3Signer.UNSIGNED_PAYLOAD);
            SdkHttpRequest put = wire.sent.get(wire.sent.size() - 1);
            assertThat(put.firstMatchingHeader("Content-Encoding")).isEmpty(); // no aws-chunked
            assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("sum")).asByteArray()).isEqualTo(data);
        }
    }
}
