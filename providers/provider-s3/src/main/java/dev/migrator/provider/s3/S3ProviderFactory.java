package dev.migrator.provider.s3;

import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.ProviderFactory;
import dev.migrator.provider.StoreOptions;
import java.net.URI;
import java.util.Set;

/**
 * {@code s3://} — AWS S3 and S3-compatible stores (MinIO, Ceph, R2, Wasabi, B2, S3Proxy, LocalStack).
 * Opening is offline: a missing bucket or rejected credentials surface on the first call.
 */
public final class S3ProviderFactory implements ProviderFactory {

    @Override
    public Set<String> schemes() {
        return Set.of("s3");
    }

    @Override
    public String usage() {
        return "s3://BUCKET[/PREFIX][?endpoint=http(s)://HOST[:PORT]][&region=R][&profile=NAME][&path-style=true|false]"
                + "[&checksums=when-required|when-supported][&page-size=1..1000][&access-key=K&secret-key=S]"
                + "[&connect-timeout=10s][&read-timeout=30s]"
                + " — credentials from the AWS default chain (env, ~/.aws profiles, instance role) unless profile= or"
                + " access-key=/secret-key= (never printed); with endpoint= (S3-compatible stores) path-style and"
                + " checksums=when-required are the defaults and region defaults to us-east-1, since many such"
                + " stores reject virtual-host addressing and the SDK's trailing CRC checksums (uploads always"
                + " carry Content-MD5 either way)";
    }

    /** The credentials a URI may carry: never shown or written ({@link dev.migrator.provider.Redaction}). */
    @Override
    public Set<String> secretParameters() {
        return S3Location.CREDENTIAL_OPTIONS;
    }

    @Override
    public ObjectStore objectStore(URI uri, StoreOptions options) {
        return new S3ObjectStore(S3Location.parse(uri), options);
    }

    /** The endpoint= URI, else AWS S3's regional (or global) endpoint. */
    @Override
    public java.util.Optional<URI> httpEndpoint(URI uri) {
        S3Location l = S3Location.parse(uri);
        return java.util.Optional.of(l.endpoint() != null ? l.endpoint()
                : URI.create(l.region() != null ? "https://s3." + l.region() + ".amazonaws.com/" : "https://s3.amazonaws.com/"));
    }
}
