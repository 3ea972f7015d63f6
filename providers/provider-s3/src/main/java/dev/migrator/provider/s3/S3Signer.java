package dev.migrator.provider.s3;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.scheme.AwsV4AuthScheme;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;

/**
 * SigV4 as the SDK signs, except that over plain {@code http} a body the SDK would leave unsigned over
 * {@code https} ({@code PAYLOAD_SIGNING_ENABLED=false}: PutObject, UploadPart) is sent as
 * {@code UNSIGNED-PAYLOAD} when it carries a {@code Content-MD5} or {@code x-amz-checksum-*} header. That header
 * is signed, and the server checks the body against it, so a changed body is still refused; what goes is a second
 * SHA-256 pass over every byte sent (the SDK always signs payloads over http).
 *
 * <p>The SDK's signer decides by the request's protocol only, and the protocol is not part of what SigV4 signs
 * (method, path, query, headers), so the request is signed as if it went over https and then sent as it is. The
 * signed {@code Host} header must stay what the HTTP client sends: with the protocol's standard port (80, 443) the
 * SDK omits the port for one protocol and not the other, so there the payload is signed as before.
 */
final class S3Signer implements AwsV4HttpSigner {
    static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    private static final AwsV4HttpSigner SIGV4 = AwsV4HttpSigner.create();
    private static final S3Signer INSTANCE = new S3Signer();

    private S3Signer() {
    }

    /** The SDK's SigV4 auth scheme with this signer, for {@code S3ClientBuilder.putAuthScheme}. */
    static AwsV4AuthScheme scheme() {
        AwsV4AuthScheme sdk = AwsV4AuthScheme.create();
        return new AwsV4AuthScheme() {
            @Override
            public String schemeId() {
                return sdk.schemeId();
            }

            @Override
            public IdentityProvider<AwsCredentialsIdentity> identityProvider(IdentityProviders providers) {
                return sdk.identityProvider(providers);
            }

            @Override
            public AwsV4HttpSigner signer() {
                return INSTANCE;
            }
        };
    }

    @Override
    public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> request) {
        if (!unsignedOverHttp(request)) {
            return SIGV4.sign(request);
        }
        SdkHttpRequest http = request.request();
        SignedRequest signed = SIGV4.sign(request.copy(b -> b.request(http.toBuilder().protocol("https").build())
                .putProperty(CHUNK_ENCODING_ENABLED, false)));
        return signed.copy(b -> b.request(signed.request().toBuilder().protocol(http.protocol()).build()));
    }

    @Override
    public CompletableFuture<AsyncSignedRequest> signAsync(AsyncSignRequest<? extends AwsCredentialsIdentity> request) {
        return SIGV4.signAsync(request); // migrator's client is synchronous
    }

    /** Whether the body may go unsigned: see the class comment. */
    static boolean unsignedOverHttp(SignRequest<? extends AwsCredentialsIdentity> request) {
        SdkHttpRequest http = request.request();
        return "http".equals(http.protocol()) && http.port() != 80 && http.port() != 443
                && request.payload().isPresent()
                && !request.requireProperty(PAYLOAD_SIGNING_ENABLED, true)
                && carriesChecksum(http.headers());
    }

    private static boolean carriesChecksum(Map<String, java.util.List<String>> headers) {
        for (String name : headers.keySet()) {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.equals("content-md5") || (n.startsWith("x-amz-checksum-") && !n.equals("x-amz-checksum-type")
                    && !n.equals("x-amz-checksum-algorithm"))) {
                return true;
            }
        }
        return false;
    }
}
