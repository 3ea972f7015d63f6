package dev.migrator.provider.s3;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.http.auth.spi.scheme.AuthSchemeOption;
import software.amazon.awssdk.services.s3.auth.scheme.S3AuthSchemeParams;
import software.amazon.awssdk.services.s3.auth.scheme.S3AuthSchemeProvider;

/**
 * The SDK's S3 auth-scheme resolution, once per distinct answer instead of once per request. The SDK's provider
 * runs the S3 endpoint rules again for every request (after the endpoint stage already ran them) through one shared
 * single-entry cache, which two stores of one copy (two buckets) keep evicting from each other.
 *
 * <p>The options depend on the operation and on the endpoint parameters; the endpoint rules do not read the
 * object key, prefix, copy source or the keys of a DeleteObjects (the SDK's own endpoint cache ignores them for
 * the same reason), so those are left out of the key and one client needs a handful of entries. A client that sees
 * more than {@link #MAX} distinct keys resolves the rest as the SDK does.
 */
final class S3AuthSchemes implements S3AuthSchemeProvider {
    private static final int MAX = 256;
    private final S3AuthSchemeProvider sdk = S3AuthSchemeProvider.defaultProvider();
    private final Map<List<Object>, List<AuthSchemeOption>> resolved = new ConcurrentHashMap<>();

    @Override
    public List<AuthSchemeOption> resolveAuthScheme(S3AuthSchemeParams p) {
        List<Object> key = Arrays.asList(p.operation(), p.region(), p.regionSet(), p.bucket(), p.useFips(),
                p.useDualStack(), p.endpoint(), p.forcePathStyle(), p.accelerate(), p.useGlobalEndpoint(),
                p.useObjectLambdaEndpoint(), p.disableAccessPoints(), p.disableMultiRegionAccessPoints(),
                p.useArnRegion(), p.useS3ExpressControlEndpoint(), p.disableS3ExpressSessionAuth());
        List<AuthSchemeOption> options = resolved.get(key);
        if (options == null) {
            options = List.copyOf(sdk.resolveAuthScheme(p));
            if (resolved.size() < MAX) {
                resolved.put(key, options);
            }
        }
        return options;
    }
}
