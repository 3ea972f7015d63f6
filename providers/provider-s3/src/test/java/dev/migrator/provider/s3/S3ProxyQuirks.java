package dev.migrator.provider.s3;

import java.util.Map;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips, with the reason shown in the report, the few conformance checks S3Proxy itself cannot pass
 * (server behaviour, not the adapter's). Each is covered another way; see the reasons.
 */
class S3ProxyQuirks implements ExecutionCondition {
    private static final Map<String, String> KNOWN = Map.of(
            "putThenStatAndReadBackWithAllMetadata",
            "S3Proxy's Jetty rewrites the well-known content type 'text/plain; charset=utf-8' to "
                    + "'text/plain;charset=utf-8'; S3ObjectStoreTest#metadataRoundTrips checks every field with a "
                    + "content type Jetty leaves alone, and the LocalStack contract test runs this check");

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String reason = context.getTestMethod().map(m -> KNOWN.get(m.getName())).orElse(null);
        return reason == null ? ConditionEvaluationResult.enabled("not a known S3Proxy difference")
                : ConditionEvaluationResult.disabled(reason);
    }
}
