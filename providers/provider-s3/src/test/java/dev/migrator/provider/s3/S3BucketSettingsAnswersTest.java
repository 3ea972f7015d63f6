package dev.migrator.provider.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.migrator.provider.BucketSettings;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Answers that are not what a bucket-setting call returns: a web server in front of the store that answers HTML
 * pages (200, 400, 404), an XML document of another kind, and AccessDenied for one setting. Each becomes a note
 * naming the setting; none is taken as a setting and none stops the read. The server is the JDK's, answering as
 * a misconfigured proxy or portal does; the well-behaved cases run against real S3 servers in
 * {@link S3BucketSettingsServersTest}.
 */
class S3BucketSettingsAnswersTest {
    private static final String PAGE = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Portal</body></html>";

    /** Status, content type and body per bucket sub-resource. */
    private static final Map<String, Object[]> ANSWERS = Map.of(
            "cors", new Object[] {200, "text/html", PAGE},
            "lifecycle", new Object[] {400, "text/html", "<html><body><h1>HTTP Status 400 - Bad Request</h1></body></html>"},
            "website", new Object[] {404, "text/html", "<html><body>Not Found</body></html>"},
            "versioning", new Object[] {200, "application/xml",
                    "<?xml version=\"1.0\"?><!-- a gateway --><s3:AccessControlPolicy xmlns:s3=\"x\"><Owner/></s3:AccessControlPolicy>"},
            "publicAccessBlock", new Object[] {403, "application/xml",
                    "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"},
            "policy", new Object[] {200, "text/html", PAGE});

    @Test
    void aServerAnsweringPagesAndOtherDocumentsGivesNotesNotSettings() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String query = exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery();
            Object[] a = ANSWERS.getOrDefault(query.replaceAll("=.*", ""), new Object[] {500, "text/plain", "unexpected " + query});
            byte[] body = ((String) a[2]).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", (String) a[1]);
            exchange.sendResponseHeaders((Integer) a[0], body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try (ObjectStore store = Stores.openAdapter("s3://site/?endpoint=http://127.0.0.1:" + server.getAddress().getPort()
                + "&region=us-east-1&access-key=k&secret-key=s", new StoreOptions(5 << 20, 2, Retry.NONE))) {
            BucketSettings read = store.bucketSettings().orElseThrow().read();
            assertThat(read.cors()).isNull();
            assertThat(read.lifecycle()).isNull();
            assertThat(read.website()).isNull();
            assertThat(read.versioning()).isNull();
            assertThat(read.publicAccess()).isNull();
            assertThat(read.policy()).isNull();
            assertThat(read.notes()).hasSize(6)
                    .anyMatch(n -> n.contains("the bucket's CORS with an HTML page, not a CORSConfiguration: not taken as a setting"))
                    .anyMatch(n -> n.contains("the bucket's lifecycle rules with a page that is not an S3 answer (HTTP 400 text/html"))
                    .anyMatch(n -> n.contains("the bucket's website with a page that is not an S3 answer (HTTP 404 text/html"))
                    .anyMatch(n -> n.contains("the bucket's versioning with an XML document <AccessControlPolicy>"))
                    .anyMatch(n -> n.contains("does not let these credentials read the bucket's public-access block (403 AccessDenied)"))
                    .anyMatch(n -> n.contains("the bucket's policy with an HTML page, not a JSON policy"))
                    .noneMatch(n -> n.contains("Portal") || n.contains("secret-key"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aPutTheServerAcceptsButDoesNotKeepIsAnAction() throws IOException {
        // Every PUT answered 200 and forgotten; every GET says "not set", as S3 would for a bucket without it.
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            boolean get = exchange.getRequestMethod().equals("GET");
            String query = exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery();
            String code = query.startsWith("cors") ? "NoSuchCORSConfiguration" : query.startsWith("website") ? "NoSuchWebsiteConfiguration"
                    : query.startsWith("lifecycle") ? "NoSuchLifecycleConfiguration" : query.startsWith("policy") ? "NoSuchBucketPolicy"
                    : "NoSuchPublicAccessBlockConfiguration";
            byte[] body = !get ? new byte[0] : query.startsWith("versioning")
                    ? "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>".getBytes(StandardCharsets.UTF_8)
                    : ("<Error><Code>" + code + "</Code><Message>not set</Message></Error>").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/xml");
            exchange.getResponseHeaders().set("x-amz-request-id", "test");
            exchange.sendResponseHeaders(!get || query.startsWith("versioning") ? 200 : 404, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        try (ObjectStore store = Stores.openAdapter("s3://site/?endpoint=http://127.0.0.1:" + server.getAddress().getPort()
                + "&region=us-east-1&access-key=k&secret-key=s", new StoreOptions(5 << 20, 2, Retry.NONE))) {
            BucketSettings.Access access = store.bucketSettings().orElseThrow();
            assertThat(access.read().cors()).isEmpty();
            List<String> actions = access.apply(new BucketSettings(
                    List.of(new BucketSettings.Cors(List.of("*"), List.of("GET"), null, null, null)),
                    List.of(new BucketSettings.Lifecycle("tmp", true, "tmp/", 1, null, null, null)),
                    new BucketSettings.Website("index.html", null), BucketSettings.Versioning.ENABLED, null, null, List.of()));
            assertThat(actions).hasSize(4).allMatch(a -> a.contains(" but reads back ") && a.endsWith(": set it by hand"))
                    .anyMatch(a -> a.contains("accepted the bucket's CORS but reads back [] instead of"))
                    .anyMatch(a -> a.contains("accepted the bucket's versioning but reads back OFF instead of ENABLED"));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aLifecycleRuleNarrowerThanItsPrefixSaysHowInWords() {
        BucketSettings.Lifecycle l = S3BucketSettings.rule(software.amazon.awssdk.services.s3.model.LifecycleRule.builder()
                .id("t").status("Enabled").expiration(e -> e.days(3))
                .filter(f -> f.and(a -> a.prefix("tmp/").tags(t -> t.key("scratch").value("yes")).objectSizeGreaterThan(1024L)))
                .abortIncompleteMultipartUpload(a -> a.daysAfterInitiation(2)).build());
        assertThat(l.prefix()).isEqualTo("tmp/");
        assertThat(l.other()).isEqualTo("filter prefix tmp/ and tag scratch=yes and size > 1024; abort incomplete uploads after 2 days");
    }

    @Test
    void theRootElementIsFoundAfterDeclarationsCommentsAndPrefixes() {
        assertThat(S3BucketSettings.ExpectedAnswer.rootElement("<?xml version=\"1.0\"?>\n<!-- x --><a:CORSConfiguration xmlns:a=\"n\">"))
                .isEqualTo("CORSConfiguration");
        assertThat(S3BucketSettings.ExpectedAnswer.rootElement("<VersioningConfiguration/>")).isEqualTo("VersioningConfiguration");
        assertThat(S3BucketSettings.ExpectedAnswer.rootElement("{\"Statement\":[]}")).isNull();
        assertThat(S3BucketSettings.ExpectedAnswer.mismatch("JSON", " {\"Statement\":[]}\n")).isNull();
        assertThat(S3BucketSettings.ExpectedAnswer.mismatch("JSON", "<ListBucketResult/>")).isEqualTo("a listing of the bucket's objects");
        assertThat(S3BucketSettings.ExpectedAnswer.mismatch("JSON", "Statement")).isEqualTo("text that is not XML");
        assertThat(S3BucketSettings.ExpectedAnswer.mismatch("WebsiteConfiguration", "\uFEFF<WebsiteConfiguration>")).isNull();
        assertThat(S3BucketSettings.ExpectedAnswer.mismatch("WebsiteConfiguration", "<!doctype html><html>")).isEqualTo("an HTML page");
    }
}
