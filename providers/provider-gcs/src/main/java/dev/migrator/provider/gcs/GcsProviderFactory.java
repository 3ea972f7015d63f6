package dev.migrator.provider.gcs;

import com.google.auth.Credentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.StorageOptions;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.ProviderFactory;
import dev.migrator.provider.Redaction;
import dev.migrator.provider.UriParameters;
import dev.migrator.provider.StoreOptions;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code gs://bucket/prefix} stores on Google Cloud Storage, through the JSON API of the official client.
 *
 * <p>Credentials are Application Default Credentials. An emulator (or test server) is used instead,
 * with no credentials, when the URI has {@code endpoint=} or the environment has
 * {@code STORAGE_EMULATOR_HOST}, the convention every Google client follows.
 */
public final class GcsProviderFactory implements ProviderFactory {
    /** Uploads stream in chunks of this size at most: the memory one upload holds. */
    static final int MAX_CHUNK_SIZE = 16 * 1024 * 1024;
    /** Resumable chunks must be multiples of this (GCS rule). */
    static final int CHUNK_GRANULARITY = 256 * 1024;
    static final int DEFAULT_PAGE_SIZE = 1000;

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]");
    private static final Set<String> PARAMS = Set.of("project", "page-size", "endpoint", "connect-timeout", "read-timeout");
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public Set<String> schemes() {
        return Set.of("gs");
    }

    @Override
    public String usage() {
        return "gs://BUCKET[/PREFIX][?project=P][&page-size=N][&endpoint=http://HOST:PORT]  Google Cloud Storage;"
                + " credentials from Application Default Credentials (gcloud auth application-default login, or"
                + " GOOGLE_APPLICATION_CREDENTIALS); endpoint= or STORAGE_EMULATOR_HOST selects an emulator, used"
                + " without credentials; page-size: objects per listing request (1-1000, default 1000);"
                + " connect-timeout= / read-timeout=: how long to wait for a connection / for an answer (default"
                + " 10s / 30s; e.g. 500ms, 30s, 2m)";
    }

    @Override
    public ObjectStore objectStore(URI uri, StoreOptions options) {
        String shown = Redaction.uri(uri.toString());
        String bucket = uri.getRawAuthority();
        if (bucket == null || bucket.isEmpty()) {
            throw MigratorException.badInput("'" + shown + "' names no bucket: use gs://BUCKET/optional/prefix");
        }
        if (bucket.contains("@")) {
            throw MigratorException.badInput("'" + shown + "' has a user or password: gs:// takes no credentials in"
                    + " the URI, it uses Application Default Credentials (gcloud auth application-default login)");
        }
        if (!BUCKET.matcher(bucket).matches()) {
            throw MigratorException.badInput("'" + bucket + "' in '" + shown + "' is not a valid GCS bucket name"
                    + " (3-222 characters: lower-case letters, digits, '-', '_', '.'; no port)");
        }
        if (uri.getRawFragment() != null) {
            throw MigratorException.badInput("'" + shown + "' has a '#' fragment: percent-encode '#' in keys as %23");
        }
        Map<String, String> params = params(uri, shown);
        String project = params.get("project");
        int pageSize = UriParameters.number(params.get("page-size"), "page-size", 1, 1000, DEFAULT_PAGE_SIZE, shown);
        Duration connectTimeout = UriParameters.duration(params, "connect-timeout", DEFAULT_CONNECT_TIMEOUT, shown);
        Duration readTimeout = UriParameters.duration(params, "read-timeout", DEFAULT_READ_TIMEOUT, shown);

        String endpoint = params.get("endpoint");
        if (endpoint == null) {
            String emulator = System.getenv("STORAGE_EMULATOR_HOST");
            if (emulator != null && !emulator.isBlank()) {
                endpoint = emulator.contains("://") ? emulator : "http://" + emulator;
            }
        }
        if (endpoint != null) {
            checkEndpoint(endpoint, shown);
        }
        return Sdk.open(bucket, Keys.rootPrefix(uri.getPath()), project, endpoint, pageSize, connectTimeout, readTimeout,
                options, shown);
    }

    private static String hostOf(String endpoint) {
        URI u = URI.create(endpoint);
        return (u.getHost() + ":" + u.getPort()).toLowerCase(java.util.Locale.ROOT);
    }

    /** The resumable chunk size: the part size, rounded up to GCS's 256 KiB granularity and capped. */
    static int chunkSize(StoreOptions options) {
        long rounded = (options.partSize() + CHUNK_GRANULARITY - 1) / CHUNK_GRANULARITY * CHUNK_GRANULARITY;
        return (int) Math.min(rounded, MAX_CHUNK_SIZE);
    }

    /** endpoint= or STORAGE_EMULATOR_HOST (an emulator), else Google's JSON API host. */
    @Override
    public java.util.Optional<URI> httpEndpoint(URI uri) {
        String endpoint = params(uri, Redaction.uri(uri.toString())).get("endpoint");
        String emulator = System.getenv("STORAGE_EMULATOR_HOST");
        if (endpoint == null && emulator != null && !emulator.isBlank()) {
            endpoint = emulator.contains("://") ? emulator : "http://" + emulator;
        }
        return java.util.Optional.of(URI.create(endpoint != null ? endpoint : "https://storage.googleapis.com/"));
    }

    private static Map<String, String> params(URI uri, String shown) {
        Map<String, String> params = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!PARAMS.contains(key)) {
                throw MigratorException.badInput("unknown option '" + key + "' in '" + shown
                        + "'; gs:// takes: endpoint, page-size, project");
            }
            if (value.isEmpty()) {
                throw MigratorException.badInput("option '" + key + "' in '" + shown + "' needs a value");
            }
            params.put(key, value);
        }
        return params;
    }



    private static void checkEndpoint(String endpoint, String shown) {
        try {
            URI e = new URI(endpoint);
            if (("http".equals(e.getScheme()) || "https".equals(e.getScheme())) && e.getHost() != null
                    && (e.getPath() == null || e.getPath().isEmpty() || e.getPath().equals("/"))) {
                // java.net.URI takes any number as a port; the client would fail later with a Java exception.
                if (e.getPort() == 0 || e.getPort() > 65535) {
                    throw MigratorException.badInput("endpoint '" + Redaction.uri(endpoint) + "' for '" + shown
                            + "' has port " + e.getPort() + ", which is not a TCP port: use a port from 1 to 65535");
                }
                return;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw MigratorException.badInput("endpoint '" + Redaction.uri(endpoint) + "' for '" + shown
                + "' must look like http://HOST:PORT (check endpoint= or STORAGE_EMULATOR_HOST)");
    }

    /**
     * Everything that touches the Google client, in a class of its own: the JVM loads it (and the client's classes)
     * only when a gs:// store is opened, not when ServiceLoader makes this factory for every command.
     */
    private static final class Sdk {
        private Sdk() {
        }

        static ObjectStore open(String bucket, String root, String project, String endpoint, int pageSize,
                Duration connectTimeout, Duration readTimeout, StoreOptions options, String shown) {
            StorageOptions.Builder builder = StorageOptions.http()
                    // migrator retries in one place (Retry); the client must fail fast and let it.
                    .setRetrySettings(StorageOptions.getDefaultRetrySettings().toBuilder().setMaxAttempts(1).build())
                    // Bounded waits: an endpoint that accepts and never answers must not hold a request for minutes.
                    .setTransportOptions(HttpTransportOptions.newBuilder()
                            .setConnectTimeout((int) connectTimeout.toMillis())
                            .setReadTimeout((int) readTimeout.toMillis())
                            .build());
            Credentials credentials;
            if (endpoint != null) {
                builder.setHost(endpoint);
                credentials = NoCredentials.getInstance();
                builder.setProjectId(project == null ? "migrator-emulator" : project);
            } else {
                credentials = applicationDefaultCredentials(bucket);
                if (project != null) {
                    builder.setProjectId(project);
                }
            }
            builder.setCredentials(credentials);
            String where = endpoint == null ? "Google Cloud Storage" : "the GCS endpoint " + endpoint;
            return new GcsObjectStore(builder.build().getService(), bucket, root, pageSize,
                    chunkSize(options), shown, where, endpoint == null ? "google" : hostOf(endpoint), endpoint,
                    readTimeout, new UploadSessions(options.uploadState()));
        }

        private static Credentials applicationDefaultCredentials(String bucket) {
            try {
                return GoogleCredentials.getApplicationDefault();
            } catch (IOException e) {
                throw new MigratorException(ErrorCode.AUTH, "no Google credentials found for gs://" + bucket
                        + ": run 'gcloud auth application-default login' or set GOOGLE_APPLICATION_CREDENTIALS to a"
                        + " service account key file", e);
            }
        }
    }
}
