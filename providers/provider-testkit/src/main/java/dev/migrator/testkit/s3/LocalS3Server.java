package dev.migrator.testkit.s3;

import com.robothy.s3.rest.LocalS3;
import com.robothy.s3.rest.bootstrap.LocalS3Mode;
import java.net.URI;

/**
 * LocalS3 ({@code io.github.robothy:local-s3-rest}) in this JVM, in memory on an ephemeral port: the S3 server
 * here that implements the bucket policy and public-access block calls (and versioning). It lacks CORS,
 * lifecycle and website. The module that starts it declares {@code local-s3-rest} as a test dependency (this
 * testkit has it optional). It accepts any credentials.
 */
public final class LocalS3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "locals3-access";
    public static final String SECRET_KEY = "locals3-secret";

    private final LocalS3 server;
    private final URI endpoint;

    private LocalS3Server(LocalS3 server) {
        this.server = server;
        this.endpoint = URI.create("http://127.0.0.1:" + server.getPort());
    }

    /** Starts one; a test class starts it once (it takes well under a second). */
    public static LocalS3Server start() {
        // Few threads: the machine is shared and the tests send one request at a time.
        LocalS3 s3 = LocalS3.builder().port(-1).mode(LocalS3Mode.IN_MEMORY)
                .nettyParentEventGroupThreadNum(1).nettyChildEventGroupThreadNum(2).s3ExecutorThreadNum(2).build();
        s3.start();
        return new LocalS3Server(s3);
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return endpoint;
    }

    /** The migrator URI of {@code s3://bucket/prefix} on this server. */
    public String uri(String bucket, String prefix) {
        return "s3://" + bucket + "/" + prefix + "?endpoint=" + endpoint + "&region=us-east-1"
                + "&access-key=" + ACCESS_KEY + "&secret-key=" + SECRET_KEY;
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
