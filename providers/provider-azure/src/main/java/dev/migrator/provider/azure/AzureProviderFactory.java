package dev.migrator.provider.azure;

import com.azure.core.credential.AzureSasCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.util.HttpClientOptions;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.ProviderFactory;
import dev.migrator.provider.Redaction;
import dev.migrator.provider.UriParameters;
import dev.migrator.provider.StoreOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code az://ACCOUNT/CONTAINER/prefix} stores on Azure Blob Storage, through the official client.
 *
 * <p>The account is the URI's authority, so one URI names one place however the service is reached; the
 * service is {@code https://ACCOUNT.blob.core.windows.net} unless {@code endpoint=} names another (a
 * sovereign cloud, a private endpoint, Azurite). An endpoint whose host is an IP address or
 * {@code localhost} and that has no path is path-style, as Azurite is: the account is appended
 * ({@code http://127.0.0.1:10000} serves {@code http://127.0.0.1:10000/ACCOUNT}).
 *
 * <p>Credentials, the first that applies: {@code account-key=} or {@code sas=} in the URI (secrets, never
 * shown); {@code AZURE_STORAGE_CONNECTION_STRING} when it names this account; {@code AZURE_STORAGE_KEY}
 * (with {@code AZURE_STORAGE_ACCOUNT} absent or this account) or {@code AZURE_STORAGE_SAS_TOKEN}, as the
 * Azure CLI reads them; else {@code DefaultAzureCredential} (environment service principal, workload or
 * managed identity, Azure CLI login), which Azure accepts over https only.
 */
public final class AzureProviderFactory implements ProviderFactory {
    static final int DEFAULT_PAGE_SIZE = 5000;
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

    private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9]{3,24}");
    private static final Pattern CONTAINER = Pattern.compile("[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]|\\$root");
    private static final Set<String> PARAMS = Set.of("endpoint", "sas", "account-key", "page-size", "connect-timeout",
            "read-timeout");
    private static final Set<String> SECRETS = Set.of("sas", "account-key");

    private final Function<String, String> env;

    public AzureProviderFactory() {
        this(System::getenv);
    }

    /** With an environment of the caller's choosing, for tests of the credential order. */
    AzureProviderFactory(Function<String, String> env) {
        this.env = env;
    }

    @Override
    public Set<String> schemes() {
        return Set.of("az");
    }

    @Override
    public String usage() {
        return "az://ACCOUNT/CONTAINER[/PREFIX][?endpoint=URL][&account-key=KEY|&sas=TOKEN][&page-size=N]  Azure Blob"
                + " Storage; credentials: account-key= or sas= (percent-encoded), AZURE_STORAGE_CONNECTION_STRING,"
                + " AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN, else DefaultAzureCredential (az login, managed"
                + " identity); endpoint= for sovereign clouds and Azurite (http://127.0.0.1:10000); page-size:"
                + " blobs per listing request (1-5000); connect-timeout= / read-timeout= (default 10s / 60s)";
    }

    @Override
    public Set<String> secretParameters() {
        return SECRETS;
    }

    @Override
    public ObjectStore objectStore(URI uri, StoreOptions options) {
        String shown = Redaction.uri(uri.toString());
        String account = uri.getRawAuthority();
        if (account == null || account.isEmpty()) {
            throw MigratorException.badInput("'" + shown + "' names no account: use az://ACCOUNT/CONTAINER/optional/prefix");
        }
        if (account.contains("@")) {
            throw MigratorException.badInput("'" + shown + "' has a user or password: az:// takes account-key= or sas="
                    + " as parameters, or credentials from the environment");
        }
        if (!ACCOUNT.matcher(account).matches()) {
            throw MigratorException.badInput("'" + account + "' in '" + shown + "' is not a valid Azure storage account"
                    + " name (3-24 lower-case letters and digits; no port: use endpoint= for another host)");
        }
        if (uri.getRawFragment() != null) {
            throw MigratorException.badInput("'" + shown + "' has a '#' fragment: percent-encode '#' in keys as %23");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        path = path.startsWith("/") ? path.substring(1) : path;
        int slash = path.indexOf('/');
        String container = slash < 0 ? path : path.substring(0, slash);
        if (container.isEmpty()) {
            throw MigratorException.badInput("'" + shown + "' names no container: use az://" + account
                    + "/CONTAINER/optional/prefix");
        }
        if (!CONTAINER.matcher(container).matches()) {
            throw MigratorException.badInput("'" + container + "' in '" + shown + "' is not a valid Azure container name"
                    + " (3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit)");
        }
        String root = Keys.rootPrefix(slash < 0 ? "" : path.substring(slash + 1));
        if (root.indexOf('\\') >= 0) {
            throw MigratorException.badInput("the prefix '" + root + "' of '" + shown + "' holds a backslash, which Azure"
                    + " turns into '/' in blob names: use '/'");
        }

        Map<String, String> params = params(uri, shown);
        int pageSize = UriParameters.number(params.get("page-size"), "page-size", 1, 5000, DEFAULT_PAGE_SIZE, shown);
        Duration connectTimeout = UriParameters.duration(params, "connect-timeout", DEFAULT_CONNECT_TIMEOUT, shown);
        Duration readTimeout = UriParameters.duration(params, "read-timeout", DEFAULT_READ_TIMEOUT, shown);

        return Sdk.open(env, account, container, root, params, pageSize, connectTimeout, readTimeout, options, shown);
    }

    /**
     * Everything that touches the Azure SDK, in a class of its own: the JVM loads it (and the SDK's signed jars,
     * whose signatures it checks on first use) only when an az:// store is opened, not when ServiceLoader makes
     * this factory for every command.
     */
    private static final class Sdk {
        private Sdk() {
        }

        static ObjectStore open(Function<String, String> env, String account, String container, String root,
                Map<String, String> params, int pageSize, Duration connectTimeout, Duration readTimeout,
                StoreOptions options, String shown) {
            BlobServiceClientBuilder builder = new BlobServiceClientBuilder()
                    .httpClient(HttpClient.createDefault(new HttpClientOptions()
                            .setConnectTimeout(connectTimeout)
                            .setResponseTimeout(readTimeout)
                            .setReadTimeout(readTimeout)
                            .setWriteTimeout(readTimeout)))
                    // migrator retries in one place (Retry); the client must fail fast and let it.
                    .retryOptions(new RequestRetryOptions(RetryPolicyType.FIXED, 1, (Integer) null, null, null, null));
            Credential credential = credentials(env, builder, account, params, shown);
            String endpoint = params.containsKey("endpoint") ? params.get("endpoint") : credential.endpoint() != null
                    ? credential.endpoint() : "https://" + account + ".blob.core.windows.net";
            URI service = serviceUri(endpoint, account, shown);
            builder.endpoint(service.toString());
            if (credential.kind() == Kind.DEFAULT && !"https".equals(service.getScheme())) {
                throw MigratorException.badInput("no key or SAS for " + shown + ", and DefaultAzureCredential works over"
                        + " https only (endpoint " + Redaction.uri(service.toString()) + "): give account-key= or sas=, or set"
                        + " AZURE_STORAGE_CONNECTION_STRING");
            }
            BlobContainerClient client;
            try {
                client = builder.buildClient().getBlobContainerClient(container);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw MigratorException.badInput("cannot open " + shown + ": " + AzureErrors.firstLine(e.getMessage()));
            }
            String hostPort = service.getPort() < 0 ? service.getHost() : service.getHost() + ":" + service.getPort();
            String where = "the Azure blob endpoint " + Redaction.uri(service.toString());
            return new AzureObjectStore(client, account, container, root, pageSize, options, shown,
                    "az://" + hostPort.toLowerCase(Locale.ROOT) + "/" + account + "/" + container + "/" + root, where,
                    credential.sas());
        }

        /** Puts the first credential that applies on {@code builder} (see the class comment for the order). */
        private static Credential credentials(Function<String, String> env, BlobServiceClientBuilder builder,
                String account, Map<String, String> params, String shown) {
            if (params.containsKey("account-key") && params.containsKey("sas")) {
                throw MigratorException.badInput("'" + shown + "' has both account-key= and sas=: give one");
            }
            if (params.containsKey("account-key")) {
                builder.credential(sharedKey(account, params.get("account-key"), "account-key= in '" + shown + "'"));
                return new Credential(Kind.KEY, null, null);
            }
            if (params.containsKey("sas")) {
                return sas(builder, params.get("sas"), "sas= in '" + shown + "'");
            }
            String cs = nonBlank(env.apply("AZURE_STORAGE_CONNECTION_STRING"));
            if (cs != null && account.equals(connectionStringAccount(cs))) {
                try {
                    builder.connectionString(cs);
                } catch (IllegalArgumentException e) {
                    throw MigratorException.badInput("AZURE_STORAGE_CONNECTION_STRING is not a valid Azure Storage connection"
                            + " string: copy it again from the portal or 'az storage account show-connection-string'");
                }
                Map<String, String> parts = connectionStringParts(cs);
                String sas = parts.get("sharedaccesssignature");
                return new Credential(sas != null ? Kind.SAS : Kind.CONNECTION_STRING, connectionStringEndpoint(parts), sas);
            }
            String key = nonBlank(env.apply("AZURE_STORAGE_KEY"));
            String keyAccount = nonBlank(env.apply("AZURE_STORAGE_ACCOUNT"));
            if (key != null && (keyAccount == null || keyAccount.equals(account))) {
                builder.credential(sharedKey(account, key, "AZURE_STORAGE_KEY"));
                return new Credential(Kind.KEY, null, null);
            }
            String sas = nonBlank(env.apply("AZURE_STORAGE_SAS_TOKEN"));
            if (sas != null) {
                return sas(builder, sas, "AZURE_STORAGE_SAS_TOKEN");
            }
            builder.credential(new DefaultAzureCredentialBuilder().build());
            return new Credential(Kind.DEFAULT, null, null);
        }

        private static Credential sas(BlobServiceClientBuilder builder, String token, String where) {
            String t = token.startsWith("?") ? token.substring(1) : token;
            if (!t.contains("sig=")) {
                throw MigratorException.badInput(where + " is not a SAS token (it has no sig=): copy the whole token,"
                        + " percent-encoded in a URI");
            }
            builder.credential(new AzureSasCredential(t));
            return new Credential(Kind.SAS, null, t);
        }

        private static StorageSharedKeyCredential sharedKey(String account, String key, String where) {
            try {
                java.util.Base64.getDecoder().decode(key);
            } catch (IllegalArgumentException e) {
                throw MigratorException.badInput(where + " is not an Azure account key (base64): copy it again from the"
                        + " portal or 'az storage account keys list'; in a URI write '+' as %2B, '/' as %2F and '=' as %3D");
            }
            return new StorageSharedKeyCredential(account, key);
        }
    }

    enum Kind { KEY, SAS, CONNECTION_STRING, DEFAULT }

    /**
     * Which credential was chosen; the endpoint a connection string names, if any; the SAS token, which a
     * server-side copy appends to its source URL.
     */
    record Credential(Kind kind, String endpoint, String sas) {
    }

    private static String connectionStringEndpoint(Map<String, String> parts) {
        if ("true".equalsIgnoreCase(parts.get("usedevelopmentstorage"))) {
            return "http://127.0.0.1:10000/devstoreaccount1";
        }
        if (parts.containsKey("blobendpoint")) {
            return parts.get("blobendpoint");
        }
        String suffix = parts.getOrDefault("endpointsuffix", "core.windows.net");
        return parts.getOrDefault("defaultendpointsprotocol", "https") + "://" + parts.get("accountname") + ".blob." + suffix;
    }

    static String connectionStringAccount(String cs) {
        Map<String, String> parts = connectionStringParts(cs);
        if ("true".equalsIgnoreCase(parts.get("usedevelopmentstorage"))) {
            return "devstoreaccount1";
        }
        return parts.get("accountname");
    }

    private static Map<String, String> connectionStringParts(String cs) {
        Map<String, String> parts = new LinkedHashMap<>();
        for (String part : cs.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                parts.put(part.substring(0, eq).trim().toLowerCase(Locale.ROOT), part.substring(eq + 1).trim());
            }
        }
        return parts;
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** The blob service URL: {@code endpoint}, with the account appended when it is path-style and has none. */
    private static URI serviceUri(String endpoint, String account, String shown) {
        try {
            URI e = new URI(endpoint);
            if (("http".equals(e.getScheme()) || "https".equals(e.getScheme())) && e.getHost() != null
                    && e.getRawQuery() == null && e.getRawFragment() == null && e.getRawUserInfo() == null) {
                if (e.getPort() == 0 || e.getPort() > 65535) {
                    throw MigratorException.badInput("endpoint '" + Redaction.uri(endpoint) + "' for '" + shown
                            + "' has port " + e.getPort() + ", which is not a TCP port: use a port from 1 to 65535");
                }
                String path = e.getPath() == null ? "" : e.getPath().replaceAll("/+$", "");
                if (path.isEmpty() && pathStyleHost(e.getHost())) {
                    path = "/" + account;
                }
                if (!path.isEmpty() && !path.equals("/" + account)) {
                    throw MigratorException.badInput("endpoint '" + Redaction.uri(endpoint) + "' for '" + shown
                            + "' has the path '" + path + "', which is not the account '" + account + "': give the blob"
                            + " service URL (https://HOST or http://HOST:PORT/" + account + ")");
                }
                return new URI(e.getScheme(), null, e.getHost(), e.getPort(), path, null, null);
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw MigratorException.badInput("endpoint '" + Redaction.uri(endpoint) + "' for '" + shown
                + "' must look like https://HOST or http://HOST:PORT (the blob service URL)");
    }

    private static boolean pathStyleHost(String host) {
        return host.equals("localhost") || host.matches("[0-9.]+") || host.startsWith("[");
    }

    /** Query parameters, percent-decoded ('+' stays '+': account keys and SAS signatures contain it). */
    private static Map<String, String> params(URI uri, String shown) {
        Map<String, String> params = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!PARAMS.contains(key)) {
                throw MigratorException.badInput("unknown option '" + key + "' in '" + shown
                        + "'; az:// takes: account-key, connect-timeout, endpoint, page-size, read-timeout, sas"
                        + (key.equals("sv") || key.equals("sig") ? " (a SAS token goes into sas=, percent-encoded)" : ""));
            }
            if (value.isEmpty()) {
                throw MigratorException.badInput("option '" + key + "' in '" + shown + "' needs a value");
            }
            if (params.put(key, value) != null) {
                throw MigratorException.badInput("option '" + key + "' is given twice in '" + shown + "'");
            }
        }
        return params;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw MigratorException.badInput("'" + Redaction.uri(s) + "' is not percent-encoded correctly");
        }
    }


}
