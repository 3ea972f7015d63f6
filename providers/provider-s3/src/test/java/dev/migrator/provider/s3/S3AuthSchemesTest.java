package dev.migrator.provider.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.scheme.AuthSchemeOption;
import software.amazon.awssdk.http.auth.spi.signer.SignerProperty;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.auth.scheme.S3AuthSchemeParams;
import software.amazon.awssdk.services.s3.auth.scheme.S3AuthSchemeProvider;

/** {@link S3AuthSchemes} answers what the SDK answers, and only resolves again when something that matters differs. */
class S3AuthSchemesTest {
    private static final List<SignerProperty<?>> PROPERTIES = List.of(AwsV4HttpSigner.SERVICE_SIGNING_NAME,
            AwsV4HttpSigner.REGION_NAME, AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, AwsV4FamilyHttpSigner.NORMALIZE_PATH,
            AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, AwsV4FamilyHttpSigner.CHUNK_ENCODING_ENABLED);

    private static S3AuthSchemeParams params(String operation, String bucket, String key, String endpoint, Region region) {
        return S3AuthSchemeParams.builder().operation(operation).bucket(bucket).key(key).endpoint(endpoint)
                .region(region).forcePathStyle(endpoint != null).build();
    }

    private static List<String> describe(List<AuthSchemeOption> options) {
        return options.stream().map(o -> o.schemeId() + PROPERTIES.stream()
                .map(p -> " " + p + "=" + o.signerProperty(p)).reduce("", String::concat)).toList();
    }

    @Test
    void answersWhatTheSdkAnswersAndReusesItAcrossKeys() {
        S3AuthSchemes memo = new S3AuthSchemes();
        S3AuthSchemeProvider sdk = S3AuthSchemeProvider.defaultProvider();
        for (String endpoint : new String[] {"http://127.0.0.1:9000", null}) {
            for (String op : new String[] {"PutObject", "GetObject", "UploadPart", "ListObjectsV2"}) {
                S3AuthSchemeParams one = params(op, "bucket-a", "k/1", endpoint, Region.EU_WEST_1);
                List<AuthSchemeOption> first = memo.resolveAuthScheme(one);
                assertThat(describe(first)).isEqualTo(describe(sdk.resolveAuthScheme(one)));
                assertThat(memo.resolveAuthScheme(params(op, "bucket-a", "other//key", endpoint, Region.EU_WEST_1)))
                        .isSameAs(first);
            }
        }
    }

    @Test
    void resolvesAgainForAnotherBucketRegionOrOperation() {
        S3AuthSchemes memo = new S3AuthSchemes();
        List<AuthSchemeOption> put = memo.resolveAuthScheme(params("PutObject", "a", "k", null, Region.US_EAST_1));
        List<AuthSchemeOption> moved = memo.resolveAuthScheme(params("PutObject", "a", "k", null, Region.EU_CENTRAL_1));
        assertThat(put.get(0).signerProperty(AwsV4HttpSigner.REGION_NAME)).isEqualTo("us-east-1");
        assertThat(moved.get(0).signerProperty(AwsV4HttpSigner.REGION_NAME)).isEqualTo("eu-central-1");
        assertThat(memo.resolveAuthScheme(params("GetObject", "a", "k", null, Region.US_EAST_1))).isNotSameAs(put);
        assertThat(memo.resolveAuthScheme(params("PutObject", "b", "k", null, Region.US_EAST_1))).isNotSameAs(put);
    }
}
