package dev.migrator.provider.s3;

import dev.migrator.provider.Capabilities;
import dev.migrator.provider.Checksums;
import dev.migrator.provider.Content;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * An {@link ObjectStore} over one S3 bucket and prefix, through the AWS SDK for Java v2 (AWS S3 and
 * S3-compatible stores). Thread-safe. The SDK's own retries are off: callers retry with
 * {@link dev.migrator.provider.Retry}; only the parts of one multipart upload are retried here.
 *
 * <p>The per-object calls (stat, open, openWithInfo, a put of one part) go through {@link S3Wire}, the lean path,
 * where its addressing is certain (path-style custom endpoints), and through the SDK everywhere else and with
 * {@code -Dmigrator.s3.wire=sdk}; {@link #wire} is chosen once, in the constructor.
 *
 * <p>Integrity: every upload carries Content-MD5 (the server rejects damaged bytes); a single-part
 * upload's ETag is compared with the MD5 read, a multipart upload's ETag with the composite
 * {@code md5(part md5s)-N} ({@link ErrorCode#INTEGRITY} on a mismatch). With {@code checksums=when-supported}
 * every write also carries one full-object checksum ({@link WriteChecksum}): the source's own value when
 * {@link Content#known()} has one S3 keeps, else CRC32C; S3 checks it on arrival and keeps it.
 *
 * <p>SSE-KMS and SSE-C: such an object's ETag is not the MD5 of its bytes. HEAD and GET say how an object is
 * encrypted, and only there is an ETag taken as an MD5 ({@link #etagIsMd5}). A listing does not say, so listed
 * objects carry no checksums at all (their ETag stays in {@link ObjectInfo#etag()}): whoever compares contents
 * stats the object first, as copy and verify do for S3, whose listings carry no metadata either.
 */
public final class S3ObjectStore implements ObjectStore {
    static final int MAX_PARTS = 10_000;
    static final long MAX_PART_SIZE = 5L << 30;
    /** Parts are buffered in byte arrays. */
    static final long MAX_BUFFERED_PART = Integer.MAX_VALUE - 8;
    static final Pattern PLAIN_MD5 = Pattern.compile("[0-9a-f]{32}");
    static final Pattern COMPOSITE_ETAG = Pattern.compile("[0-9a-f]{32}-[0-9]+");
    private static final AtomicInteger THREADS = new AtomicInteger();

    final S3Location location;
    final StoreOptions options;
    /** Built on first use ({@link #s3()}): a copy that needs only the lean path never pays the SDK's set-up. */
    private volatile S3Client s3;
    final S3Errors errors;
    final ExecutorService partPool;
    private final AwsCredentialsProvider credentials;
    /** Given to the SDK, which does not close a client it was given: {@link #close} does. */
    private final GuardedHttpClient http;
    /** The lean path for HEAD, GET and single PUTs, or null where the SDK sends them ({@link S3Wire#forStore}). */
    final S3Wire wire;
    /** Set once the bucket is known to exist, so a 404 without a body (HEAD) means a missing key. */
    private volatile boolean bucketSeen;
    /** Objects larger than this are copied server-side in parts (S3's CopyObject limit); lowered by tests. */
    long copyObjectLimit = MAX_PART_SIZE;

    S3ObjectStore(S3Location location, StoreOptions options) {
        if (options.partSize() > MAX_BUFFERED_PART) {
            throw MigratorException.badInput("part size " + options.partSize() + " is too large for "
                    + location.displayUri() + ": parts are buffered in memory, use at most " + MAX_BUFFERED_PART);
        }
        this.location = location;
        this.options = options;
        this.credentials = credentials(location);
        this.http = new GuardedHttpClient(S3HttpClients.create(location));
        this.errors = new S3Errors(location, http::answered);
        this.wire = S3Wire.forStore(location, credentials, http);
        this.partPool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "s3-part-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The SDK client, for every request the lean path ({@link #wire}) does not send. Built on first use: building it
     * costs about 0.2 s of a cold start (endpoint rules, service model), most of a one-object copy's set-up.
     */
    S3Client s3() {
        S3Client c = s3;
        if (c == null) {
            synchronized (this) {
                c = s3;
                if (c == null) {
                    c = client(location, credentials, http);
                    s3 = c;
                }
            }
        }
        return c;
    }

    /** For the tests: whether anything has needed the SDK client yet. */
    boolean sdkClientBuilt() {
        return s3 != null;
    }

    static AwsCredentialsProvider credentials(S3Location loc) {
        if (loc.accessKey() != null) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(loc.accessKey(), loc.secretKey()));
        }
        if (loc.profile() != null) {
            return ProfileCredentialsProvider.create(loc.profile());
        }
        return DefaultCredentialsProvider.builder().build();
    }

    /** The SDK client of one store; package-private for the tests of what it sends. */
    static S3Client client(S3Location loc, AwsCredentialsProvider credentials, SdkHttpClient http) {
        boolean whenRequired = loc.checksumsWhenRequired();
        S3ClientBuilder b = S3Client.builder()
                // The JDK client sends the path exactly as signed. The Apache clients rewrite "//" in a key to
                // "/%2F" after signing, which S3Proxy and other servers that check the signature over the
                // raw path reject: keys with "//" could not be written there at all.
                .httpClient(http)
                .credentialsProvider(credentials)
                .region(region(loc))
                .forcePathStyle(loc.pathStyle())
                // Over http, a body with a signed Content-MD5 or checksum header goes as UNSIGNED-PAYLOAD (S3Signer).
                .putAuthScheme(S3Signer.scheme())
                .authSchemeProvider(new S3AuthSchemes())
                // Bodies are in-memory buffers, so a payload hash computed up front is cheap; aws-chunked
                // streaming instead leaks "Content-Encoding: aws-chunked" into objects on some
                // S3-compatible stores (S3Proxy stores it as the object's content encoding).
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .requestChecksumCalculation(whenRequired
                        ? RequestChecksumCalculation.WHEN_REQUIRED : RequestChecksumCalculation.WHEN_SUPPORTED)
                .responseChecksumValidation(whenRequired
                        ? ResponseChecksumValidation.WHEN_REQUIRED : ResponseChecksumValidation.WHEN_SUPPORTED)
                // Retrying lives in one place (Retry); an SDK retry underneath would multiply attempts.
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        if (loc.endpoint() != null) {
            b.endpointOverride(loc.endpoint());
        } else {
            // On AWS, follow a bucket into its region instead of failing on a wrong default.
            b.crossRegionAccessEnabled(true);
        }
        return b.build();
    }

    private static Region region(S3Location loc) {
        if (loc.region() != null) {
            return Region.of(loc.region());
        }
        try {
            DefaultAwsRegionProviderChain.Builder chain = DefaultAwsRegionProviderChain.builder();
            if (loc.profile() != null) {
                chain.profileName(loc.profile());
            }
            return chain.build().getRegion();
        } catch (SdkException e) {
            return Region.US_EAST_1; // cross-region access finds the bucket's real region
        }
    }

    /** The endpoint's host (or AWS and the region), the bucket and the prefix: one bucket reached by two URIs is one place. */
    @Override
    public String location() {
        String where = location.endpoint() == null ? "aws" : (location.endpoint().getHost() + ":" + location.endpoint().getPort())
                .toLowerCase(java.util.Locale.ROOT);
        return "s3://" + where + "/" + location.bucket() + "/" + location.rootPrefix();
    }

    @Override
    public String displayUri() {
        return location.displayUri();
    }

    /**
     * Server-side copy within an endpoint; start-after listings; tags unless the endpoint has none.
     *
     * <p>Checksums: what {@code stat} reports for an object this store put in one piece from content with no
     * {@link Content#known()} values: MD5 (the ETag, unless the bucket encrypts with SSE-KMS or SSE-C), and with
     * {@code checksums=when-supported} also CRC32C ({@link WriteChecksum#DEFAULT}), which this adapter sends and S3
     * keeps full-object. Content with known values gets the strongest of those S3 keeps instead (a CRC64NVME from an
     * S3 source stays CRC64NVME). With {@code when-required} no checksum header is sent; AWS then stores its
     * default CRC64NVME, which {@code stat} reports too, but other S3-compatible stores may keep nothing.
     */
    @Override
    public Capabilities capabilities() {
        boolean tags = keepsTags();
        if (sendsChecksums()) {
            return tags ? CAPABILITIES_SENDING : CAPABILITIES_SENDING_WITHOUT_TAGS;
        }
        return tags ? CAPABILITIES : CAPABILITIES_WITHOUT_TAGS;
    }

    /** Whether writes carry a full-object {@code x-amz-checksum-*} ({@code checksums=when-supported}). */
    boolean sendsChecksums() {
        return !location.checksumsWhenRequired();
    }

    private static final Set<Capabilities.ChecksumKind> CHECKSUMS_SENT = java.util.EnumSet.of(Capabilities.ChecksumKind.MD5,
            WriteChecksum.DEFAULT);
    private static final Capabilities CAPABILITIES_SENDING = capabilities(true, CHECKSUMS_SENT);
    private static final Capabilities CAPABILITIES_SENDING_WITHOUT_TAGS = capabilities(false, CHECKSUMS_SENT);

    /**
     * Whether the endpoint keeps object tags: asked once, by GetObjectTagging of a key that does not exist
     * (S3 answers NoSuchKey; a store without tagging answers NotImplemented), so a copy onto such a store
     * knows before it writes that tags cannot be kept there.
     */
    private boolean keepsTags() {
        if (tagsProbed || tagsUnsupported) {
            return !tagsUnsupported;
        }
        try {
            s3().getObjectTagging(b -> b.bucket(location.bucket()).key(location.fullKey(".migrator-tagging-probe")));
        } catch (S3Exception e) {
            tagsUnsupported = notImplemented(e);
        } catch (SdkException e) {
            return true; // unreachable now: the first real request will say so; do not decide on it
        }
        tagsProbed = true;
        return !tagsUnsupported;
    }

    private static boolean notImplemented(S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return e.statusCode() == 501 || "NotImplemented".equals(code);
    }

    private static Capabilities capabilities(boolean tags, Set<Capabilities.ChecksumKind> checksums) {
        return new Capabilities(true, false, checksums, true, dev.migrator.provider.StorageClasses.Family.S3, tags)
                .withConditionalCreate().withVersions();
    }

    private static final Set<Capabilities.ChecksumKind> MD5_ONLY = Set.of(Capabilities.ChecksumKind.MD5);
    private static final Capabilities CAPABILITIES = capabilities(true, MD5_ONLY);
    /** An S3-compatible store that answered GetObjectTagging with "not implemented" keeps no tags. */
    private static final Capabilities CAPABILITIES_WITHOUT_TAGS = capabilities(false, MD5_ONLY);
    private volatile boolean tagsUnsupported;
    private volatile boolean tagsProbed;

    /**
     * Lists page by page ({@code page-size} objects a request), fetching the next page only when the
     * stream reaches it. Each page continues with {@code start-after} the last key seen rather than the
     * continuation token: equivalent on S3, and correct on stores that url-encode their tokens.
     */
    @Override
    public Stream<ObjectInfo> list(String prefix) {
        return list(prefix, null);
    }

    /** The first page already starts after {@code startAfter} (S3's {@code start-after}, exclusive). */
    @Override
    public Stream<ObjectInfo> list(String prefix, String startAfter) {
        return listWithClasses(prefix, startAfter).map(dev.migrator.provider.Archive.Listed::info);
    }

    /** Glacier classes and restores ({@link S3Archive}). */
    @Override
    public Optional<dev.migrator.provider.Archive> archive() {
        return Optional.of(new S3Archive(this));
    }

    /** The bucket's CORS, lifecycle, website, versioning, public access and policy ({@link S3BucketSettings}). */
    @Override
    public Optional<dev.migrator.provider.BucketSettings.Access> bucketSettings() {
        return Optional.of(new S3BucketSettings(this));
    }

    /** The listing with each object's storage class as ListObjectsV2 reports it. */
    Stream<dev.migrator.provider.Archive.Listed> listWithClasses(String prefix, String startAfter) {
        Objects.requireNonNull(prefix, "prefix");
        String full = location.fullKey(prefix);
        String from = startAfter == null ? null : location.fullKey(startAfter);
        String what = "listing " + location.describe(prefix);
        Iterator<dev.migrator.provider.Archive.Listed> infos = new Iterator<>() {
            private Iterator<S3Listing.Entry> page = java.util.Collections.emptyIterator();
            private String startAfter = from;
            private boolean more = true;

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && more) {
                    S3Listing.Page response = call(what, () -> listPage(full, startAfter));
                    bucketSeen = true;
                    page = response.entries().iterator();
                    more = response.truncated() && !response.entries().isEmpty();
                    if (!response.entries().isEmpty()) {
                        startAfter = response.entries().get(response.entries().size() - 1).key();
                    }
                }
                return page.hasNext();
            }

            @Override
            public dev.migrator.provider.Archive.Listed next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                S3Listing.Entry o = page.next();
                String key = o.key().substring(location.rootPrefix().length());
                // Some S3-compatible stores omit the size of odd entries; the object itself knows it.
                long size = o.size() != null ? o.size() : stat(key).map(ObjectInfo::size).orElse(0L);
                // No checksums: a listing does not say whether the object is SSE-KMS or SSE-C (ETag not an MD5).
                return new dev.migrator.provider.Archive.Listed(new ObjectInfo(key, size, o.lastModified(), unquote(o.eTag()),
                        Checksums.NONE, null), o.storageClass());
            }
        };
        return StreamSupport.stream(
                Spliterators.spliteratorUnknownSize(infos, Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /** One ListObjectsV2 page of up to {@code page-size} keys under {@code full}, after {@code startAfter} if given. */
    private S3Listing.Page listPage(String full, String startAfter) {
        if (wire != null) {
            Map<String, String> query = new java.util.HashMap<>();
            query.put("list-type", "2");
            if (!full.isEmpty()) {
                query.put("prefix", full);
            }
            if (startAfter != null) {
                query.put("start-after", startAfter);
            }
            query.put("max-keys", String.valueOf(location.pageSize()));
            query.put("encoding-type", "url");
            HttpExecuteResponse r = wire.bucketGet(query);
            try (InputStream in = S3Wire.body(r)) {
                return S3Listing.parse(in);
            } catch (IOException e) {
                throw S3Wire.broken(e);
            } catch (javax.xml.stream.XMLStreamException e) {
                throw SdkClientException.builder().message("Could not parse XML response: " + e.getMessage()).cause(e).build();
            }
        }
        ListObjectsV2Response response = s3().listObjectsV2(b -> b
                .bucket(location.bucket())
                .prefix(full.isEmpty() ? null : full)
                .startAfter(startAfter)
                .maxKeys(location.pageSize())
                // Keys may hold characters XML 1.0 cannot carry; the SDK decodes url-encoded listings.
                .encodingType(EncodingType.URL));
        return new S3Listing.Page(response.contents().stream().map(o -> new S3Listing.Entry(o.key(), o.size(),
                o.lastModified(), o.eTag(), o.storageClassAsString())).toList(), Boolean.TRUE.equals(response.isTruncated()));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        String full = fullKey(key);
        try {
            if (wire != null) {
                HttpExecuteResponse r = wire.exchange(SdkHttpMethod.HEAD, full, CHECKSUM_MODE, null, 404);
                drain(r);
                if (r.httpResponse().statusCode() == 404) {
                    requireBucket();
                    return Optional.empty();
                }
                bucketSeen = true;
                return Optional.of(S3Metadata.info(key, r.httpResponse(), tags(key, full)));
            }
            HeadObjectResponse head = s3().headObject(b -> b.bucket(location.bucket()).key(full)
                    .checksumMode(software.amazon.awssdk.services.s3.model.ChecksumMode.ENABLED));
            bucketSeen = true;
            ObjectInfo info = info(key, head);
            return Optional.of(info.withMetadata(info.metadata().withTags(tags(key, full))));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                requireBucket();
                return Optional.empty();
            }
            throw errors.translate(e, "reading the metadata of " + location.describe(key));
        } catch (SdkException e) {
            throw errors.translate(e, "reading the metadata of " + location.describe(key));
        }
    }

    /** A HEAD 404 has no body: tell a missing bucket (bad input) from a missing key. */
    private void requireBucket() {
        if (bucketSeen) {
            return;
        }
        try {
            s3().headBucket(b -> b.bucket(location.bucket()));
            bucketSeen = true;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new MigratorException(ErrorCode.BAD_INPUT, "bucket '" + location.bucket() + "' does not exist at "
                        + location.endpointName() + ": create it first or check the name", e);
            }
            throw errors.translate(e, "checking bucket '" + location.bucket() + "'");
        } catch (SdkException e) {
            throw errors.translate(e, "checking bucket '" + location.bucket() + "'");
        }
    }

    /** What a HEAD says; the tags are not in it (see {@link #tags}). */
    ObjectInfo info(String key, HeadObjectResponse head) {
        String etag = unquote(head.eTag());
        boolean md5 = etag != null && PLAIN_MD5.matcher(etag).matches() && etagIsMd5(head.serverSideEncryption(),
                head.sseCustomerAlgorithm());
        return new ObjectInfo(key, head.contentLength(), head.lastModified(), etag,
                S3Metadata.checksums(md5 ? Checksums.md5(etag) : Checksums.NONE, head.checksumCRC32(), head.checksumCRC32C(),
                        head.checksumCRC64NVME(), head.checksumSHA256(), head.checksumType()),
                new ObjectMetadata(blankToNull(head.contentType()), blankToNull(head.contentEncoding()),
                        blankToNull(head.cacheControl()), blankToNull(head.contentDisposition()),
                        S3Metadata.decodeUserMetadata(head.metadata()), blankToNull(head.contentLanguage()), expires(head::expires),
                        head.storageClassAsString(), null));
    }

    /** The Expires header, or null when absent or not an HTTP date (the SDK then has no instant). */
    @SuppressWarnings("deprecation")
    private static java.time.Instant expires(Supplier<java.time.Instant> header) {
        try {
            return header.get();
        } catch (RuntimeException unparsable) {
            return null;
        }
    }

    /** The object's tags (one GetObjectTagging request); empty on a store that has no tagging. */
    Map<String, String> tags(String key, String full) {
        if (tagsUnsupported) {
            return Map.of();
        }
        try {
            return S3Metadata.tags(s3().getObjectTagging(b -> b.bucket(location.bucket()).key(full)).tagSet());
        } catch (S3Exception e) {
            if (notImplemented(e)) {
                tagsUnsupported = true;
                return Map.of();
            }
            throw errors.translate(e, "reading the tags of " + location.describe(key));
        } catch (SdkException e) {
            throw errors.translate(e, "reading the tags of " + location.describe(key));
        }
    }

    /** With SSE-KMS or SSE-C the ETag is not the MD5 of the bytes. */
    static boolean etagIsMd5(ServerSideEncryption sse, String sseCustomerAlgorithm) {
        return sseCustomerAlgorithm == null
                && sse != ServerSideEncryption.AWS_KMS && sse != ServerSideEncryption.AWS_KMS_DSSE;
    }

    @Override
    public InputStream open(String key, long offset, long length) {
        String full = fullKey(key);
        if (offset < 0) {
            throw MigratorException.badInput("negative offset " + offset + " reading " + location.describe(key));
        }
        String what = "reading " + location.describe(key);
        if (length == 0) {
            stat(key).orElseThrow(() -> MigratorException.notFound(what + ": no such object"));
            return InputStream.nullInputStream();
        }
        String range = offset > 0 || length > 0
                ? "bytes=" + offset + "-" + (length > 0 ? String.valueOf(offset + length - 1) : "") : null;
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(location.bucket()).key(full).range(range);
        try {
            if (wire != null) {
                // As the SDK: with checksums=when-supported a whole-object GET asks for the checksum and checks it.
                boolean check = range == null && sendsChecksums();
                HttpExecuteResponse r = wire.exchange(SdkHttpMethod.GET, full,
                        range != null ? Map.of("range", range) : check ? CHECKSUM_MODE : Map.of(), null, 0);
                bucketSeen = true;
                return wireBody(r, check ? S3Metadata.info(key, r.httpResponse(), null).checksums() : Checksums.NONE);
            }
            ResponseInputStream<GetObjectResponse> body = s3().getObject(request.build());
            bucketSeen = true;
            return new BodyStream(body);
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                // Reading from exactly the end (e.g. resuming a finished object) is an empty read, not an error.
                Optional<ObjectInfo> st = stat(key);
                if (st.isEmpty()) {
                    throw MigratorException.notFound(what + ": no such object");
                }
                if (st.get().size() == offset) {
                    return InputStream.nullInputStream();
                }
            }
            throw errors.translate(e, what);
        } catch (SdkException e) {
            throw errors.translate(e, what);
        }
    }

    /** One GET: S3 returns the metadata a HEAD would with the body. */
    @Override
    public Opened openWithInfo(String key) {
        String full = fullKey(key);
        String what = "reading " + location.describe(key);
        if (wire != null) {
            HttpExecuteResponse r = call(what, () -> wire.exchange(SdkHttpMethod.GET, full, CHECKSUM_MODE, null, 0));
            bucketSeen = true;
            ObjectInfo info = S3Metadata.info(key, r.httpResponse(), Map.of());
            InputStream in = wireBody(r, info.checksums());
            String count = S3Metadata.header(r.httpResponse(), "x-amz-tagging-count");
            try {
                // A GET says how many tags there are; only then are they fetched.
                if (count != null && Integer.parseInt(count.trim()) > 0) {
                    info = info.withMetadata(info.metadata().withTags(tags(key, full)));
                }
            } catch (RuntimeException e) {
                r.responseBody().ifPresent(AbortableInputStream::abort);
                throw e;
            }
            return new Opened(info, in);
        }
        ResponseInputStream<GetObjectResponse> body = call(what, () -> s3().getObject(b -> b.bucket(location.bucket()).key(full)
                .checksumMode(software.amazon.awssdk.services.s3.model.ChecksumMode.ENABLED)));
        bucketSeen = true;
        GetObjectResponse r = body.response();
        String etag = unquote(r.eTag());
        boolean md5 = etag != null && PLAIN_MD5.matcher(etag).matches()
                && etagIsMd5(r.serverSideEncryption(), r.sseCustomerAlgorithm());
        Map<String, String> tags;
        try {
            // A GET says how many tags there are; only then are they fetched.
            tags = r.tagCount() != null && r.tagCount() > 0 ? tags(key, full) : Map.of();
        } catch (RuntimeException e) {
            body.abort();
            throw e;
        }
        ObjectInfo info = new ObjectInfo(key, r.contentLength() == null ? -1 : r.contentLength(), r.lastModified(),
                etag, S3Metadata.checksums(md5 ? Checksums.md5(etag) : Checksums.NONE, r.checksumCRC32(), r.checksumCRC32C(),
                        r.checksumCRC64NVME(), r.checksumSHA256(), r.checksumType()),
                new ObjectMetadata(blankToNull(r.contentType()), blankToNull(r.contentEncoding()),
                        blankToNull(r.cacheControl()), blankToNull(r.contentDisposition()),
                        S3Metadata.decodeUserMetadata(r.metadata()), blankToNull(r.contentLanguage()), expires(r::expires),
                        r.storageClassAsString(), tags));
        return new Opened(info, new BodyStream(body));
    }

    @Override
    public ObjectInfo put(String key, Content content, ObjectMetadata metadata) {
        String full = fullKey(key);
        ObjectMetadata meta = metadata == null ? ObjectMetadata.EMPTY : metadata;
        long size = content.size();
        if (size > options.partSize()) {
            return new MultipartUpload(this, key, full, content, meta, partSizeFor(size, key)).run();
        }
        String what = "writing " + location.describe(key);
        byte[] data = new byte[(int) size];
        try (InputStream in = content.open()) {
            int n = in.readNBytes(data, 0, data.length);
            if (n != size || in.read() != -1) {
                throw sizeMismatch(key, size);
            }
        } catch (IOException e) {
            throw errors.io(e, "reading the source for " + location.describe(key));
        }
        // The content may have hashed these very bytes as they streamed into data (the copy engine's does).
        Checksums streamed = content.streamed();
        byte[] md5 = streamed.md5() != null ? HexFormat.of().parseHex(streamed.md5()) : Digests.md5().digest(data);
        String md5Hex = Digests.hex(md5);
        Checksums known = content.known();
        requireKnown(what, Capabilities.ChecksumKind.MD5, known.md5(), md5Hex);
        PutObjectRequest.Builder request = PutObjectRequest.builder()
                .bucket(location.bucket())
                .key(full)
                .contentLength(size)
                .contentMD5(Base64.getEncoder().encodeToString(md5));
        Optional<Capabilities.ChecksumKind> sum = WriteChecksum.choose(sendsChecksums(), known, false);
        String sent = null;
        if (sum.isPresent()) {
            sent = streamed.get(sum.get()) != null ? streamed.get(sum.get())
                    : dev.migrator.provider.ChecksumDigest.of(Set.of(sum.get()), data).get(sum.get());
            requireKnown(what, sum.get(), known.get(sum.get()), sent);
            WriteChecksum.set(request, sum.get(), sent);
        }
        S3Metadata.apply(meta, request, location.describe(key));
        String etag;
        boolean etagIsMd5;
        Checksums kept;
        if (wire != null) {
            Map<String, String> headers = S3Wire.headers(request.build(), contentType(meta));
            HttpExecuteResponse r = call(what, () -> {
                HttpExecuteResponse answer = wire.exchange(SdkHttpMethod.PUT, full, headers, data, 0);
                drain(answer);
                return answer;
            });
            // The same fields as the SDK's PutObjectResponse: ETag, encryption, the checksums kept.
            ObjectInfo answered = S3Metadata.info(key, r.httpResponse(), null);
            etag = answered.etag();
            String sse = S3Metadata.header(r.httpResponse(), "x-amz-server-side-encryption");
            etagIsMd5 = etagIsMd5(sse == null ? null : ServerSideEncryption.fromValue(sse),
                    S3Metadata.header(r.httpResponse(), "x-amz-server-side-encryption-customer-algorithm"));
            kept = answered.checksums().with(Capabilities.ChecksumKind.MD5, null);
        } else {
            PutObjectResponse response = call(what, () -> s3().putObject(request.build(),
                    RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data), size, contentType(meta))));
            etag = unquote(response.eTag());
            etagIsMd5 = etagIsMd5(response.serverSideEncryption(), response.sseCustomerAlgorithm());
            kept = S3Metadata.checksums(Checksums.NONE, response.checksumCRC32(), response.checksumCRC32C(),
                    response.checksumCRC64NVME(), response.checksumSHA256(), response.checksumType());
        }
        if (etag != null && PLAIN_MD5.matcher(etag).matches() && etagIsMd5 && !etag.equals(md5Hex)) {
            throw new MigratorException(ErrorCode.INTEGRITY, what + ": the store reports MD5 " + etag
                    + " but the bytes read have MD5 " + md5Hex + "; copy the object again");
        }
        if (sum.isPresent() && kept.get(sum.get()) != null && !kept.get(sum.get()).equals(sent)) {
            throw new MigratorException(ErrorCode.INTEGRITY, what + ": the store reports " + sum.get() + " "
                    + kept.get(sum.get()) + " but " + sent + " was sent; copy the object again", null, true);
        }
        // What the store says it keeps, so the caller can compare it with what it read.
        return new ObjectInfo(key, size, null, etag, Checksums.md5(md5Hex).plus(kept), meta);
    }

    /**
     * Fails when the bytes read do not have the value the source reported for them ({@link Content#known()}):
     * nothing is sent, and the message names the object.
     */
    void requireKnown(String what, Capabilities.ChecksumKind kind, String known, String read) {
        if (known != null && !known.equals(read)) {
            throw new MigratorException(ErrorCode.INTEGRITY, what + ": the bytes read have " + kind + " " + read
                    + " but the source reports " + known + "; the source object is damaged or changed while being read,"
                    + " nothing was written", null, true);
        }
    }

    /**
     * Create-only with {@code If-None-Match: *}: 412 means the key exists, 409 a concurrent conditional write
     * (retryable). One request, so only objects of up to one part. A server that ignores the header overwrites:
     * callers that depend on it probe first (the capability says what S3 offers, not what every clone does).
     */
    @Override
    public Optional<ObjectInfo> createIfAbsent(String key, Content content, ObjectMetadata metadata) {
        ObjectMetadata meta = metadata == null ? ObjectMetadata.EMPTY : metadata;
        long size = content.size();
        if (size > options.partSize()) {
            throw MigratorException.badInput(location.describe(key) + ": a create-only write takes at most one part ("
                    + options.partSize() + " bytes), not " + size);
        }
        byte[] data;
        try (InputStream in = content.open()) {
            data = in.readNBytes((int) size + 1);
        } catch (IOException e) {
            throw errors.io(e, "reading the content for " + location.describe(key));
        }
        if (data.length != size) {
            throw sizeMismatch(key, size);
        }
        byte[] md5 = Digests.md5().digest(data);
        PutObjectRequest.Builder request = PutObjectRequest.builder().bucket(location.bucket()).key(fullKey(key))
                .contentLength(size).contentMD5(Base64.getEncoder().encodeToString(md5)).ifNoneMatch("*");
        S3Metadata.apply(meta, request, location.describe(key));
        try {
            PutObjectResponse response = s3().putObject(request.build(),
                    RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data), size, contentType(meta)));
            return Optional.of(new ObjectInfo(key, size, null, unquote(response.eTag()), Checksums.md5(Digests.hex(md5)), meta));
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 412) {
                return Optional.empty();
            }
            if (e.statusCode() == 409) {
                throw MigratorException.retryable("a concurrent create of " + location.describe(key) + "; try again", e);
            }
            throw errors.translate(e, "creating " + location.describe(key));
        } catch (SdkException e) {
            throw errors.translate(e, "creating " + location.describe(key));
        }
    }

    /** The part size for an object of {@code size} bytes: the configured one, raised to stay within 10,000 parts. */
    long partSizeFor(long size, String key) {
        long part = options.partSize();
        if ((size + part - 1) / part > MAX_PARTS) {
            long mib = 1L << 20;
            part = ((size + MAX_PARTS - 1) / MAX_PARTS + mib - 1) / mib * mib;
        }
        if (part > Math.min(MAX_PART_SIZE, MAX_BUFFERED_PART)) {
            throw MigratorException.badInput(location.describe(key) + " would be " + size
                    + " bytes, more than S3 can store in " + MAX_PARTS + " parts; split the object");
        }
        return part;
    }

    MigratorException sizeMismatch(String key, long size) {
        return new MigratorException(ErrorCode.FAILED, "the source for " + location.describe(key)
                + " did not yield exactly its announced " + size + " bytes; did it change while being copied?");
    }

    static String contentType(ObjectMetadata meta) {
        return meta.contentType() != null ? meta.contentType() : "application/octet-stream";
    }

    @Override
    public void delete(String key) {
        String full = fullKey(key);
        call("deleting " + location.describe(key), () -> s3().deleteObject(b -> b.bucket(location.bucket()).key(full)));
    }

    /**
     * A copy done by S3 itself when {@code source} is an S3 store at the same endpoint with the same
     * credentials: CopyObject up to 5 GiB, UploadPartCopy beyond. The given metadata replaces the
     * source's ({@code null}: keep the source's).
     */
    @Override
    public Optional<ServerSideCopy> serverSideCopyFrom(ObjectStore source) {
        if (source instanceof S3ObjectStore src
                && Objects.equals(src.location.endpoint(), location.endpoint())
                && src.location.credentialIdentity().equals(location.credentialIdentity())) {
            return Optional.of(new S3ServerSideCopy(src, this));
        }
        return Optional.empty();
    }

    // --- versions begin
    private final S3Versions versions = new S3Versions(this);

    @Override
    public boolean keepsVersions() {
        return versions.keepsVersions();
    }

    @Override
    public Stream<dev.migrator.provider.ObjectVersion> listVersions(String prefix) {
        return versions.list(Objects.requireNonNull(prefix, "prefix"));
    }

    @Override
    public Optional<ObjectInfo> statVersion(String key, String versionId) {
        return versions.stat(key, versionId);
    }

    @Override
    public InputStream openVersion(String key, String versionId, long offset, long length) {
        return versions.open(key, versionId, offset, length);
    }

    InputStream versionBody(ResponseInputStream<GetObjectResponse> body) {
        return new BodyStream(body);
    }
    // --- versions end

    @Override
    public void close() {
        partPool.shutdownNow();
        synchronized (this) {
            if (s3 != null) {
                s3.close();
            }
        }
        http.close();
        if (credentials instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                // Releasing cached credentials cannot fail in a way the caller could act on.
            }
        }
    }

    @Override
    public String toString() {
        return "S3ObjectStore[" + displayUri() + "]";
    }

    /** The full key, checked: valid, and within 1024 bytes together with the root prefix. */
    String fullKey(String key) {
        Keys.requireValid(key);
        String full = location.fullKey(key);
        if (Keys.utf8(full).length > Keys.MAX_KEY_BYTES) {
            throw MigratorException.badInput("key '" + key + "' under root '" + location.rootPrefix() + "' of "
                    + location.displayUri() + " is longer than " + Keys.MAX_KEY_BYTES
                    + " UTF-8 bytes together with the root; use a shorter root prefix");
        }
        return full;
    }

    <T> T call(String what, Supplier<T> operation) {
        try {
            return operation.get();
        } catch (SdkException e) {
            throw errors.translate(e, what);
        }
    }

    /** Asks HEAD and GET for the object's checksums, as the SDK's {@code checksumMode(ENABLED)}. */
    private static final Map<String, String> CHECKSUM_MODE = Map.of("x-amz-checksum-mode", "ENABLED");
    /** The checksum a lean GET checks, first found: any of them is a whole-object value (S3Metadata#checksums). */
    private static final java.util.List<Capabilities.ChecksumKind> CHECKED = java.util.List.of(
            Capabilities.ChecksumKind.CRC64NVME, Capabilities.ChecksumKind.CRC32C, Capabilities.ChecksumKind.CRC32,
            Capabilities.ChecksumKind.SHA256);

    /** The body of a lean GET, checked against {@code sums}' first whole-object checksum (not MD5: the ETag). */
    private static InputStream wireBody(HttpExecuteResponse r, Checksums sums) {
        AbortableInputStream in = r.responseBody().orElseGet(() -> AbortableInputStream.create(InputStream.nullInputStream()));
        String length = S3Metadata.header(r.httpResponse(), "Content-Length");
        Capabilities.ChecksumKind kind = CHECKED.stream().filter(k -> sums.get(k) != null).findFirst().orElse(null);
        return new BodyStream(in, in, length == null ? null : Long.parseLong(length.trim()), kind,
                kind == null ? null : sums.get(kind));
    }

    /** Reads an answer's (small) body to its end so the connection goes back to the pool. */
    static void drain(HttpExecuteResponse r) {
        if (r.responseBody().isPresent()) {
            try (InputStream in = r.responseBody().get()) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException e) {
                throw S3Wire.broken(e);
            }
        }
    }

    static String unquote(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.startsWith("\"") && etag.endsWith("\"") && etag.length() >= 2
                ? etag.substring(1, etag.length() - 1) : etag;
        return e.toLowerCase(Locale.ROOT);
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /**
     * A response body: a body shorter than its Content-Length (the JDK client reports that as a normal
     * end of stream) and SDK errors while reading become IOExceptions, as the ObjectStore contract
     * says; closing before the end aborts the connection instead of draining a large object.
     */
    private static final class BodyStream extends FilterInputStream {
        private final software.amazon.awssdk.http.Abortable body;
        private final long expected;
        /** The lean path's check of a whole-object checksum the answer carries (the SDK checks it itself). */
        private final Capabilities.ChecksumKind kind;
        private final String sum;
        private final dev.migrator.provider.ChecksumDigest digest;
        private long count;
        private boolean eof;

        BodyStream(ResponseInputStream<GetObjectResponse> body) {
            this(body, body, body.response().contentLength(), null, null);
        }

        BodyStream(InputStream in, software.amazon.awssdk.http.Abortable abort, Long length,
                   Capabilities.ChecksumKind kind, String sum) {
            super(in);
            this.body = abort;
            this.expected = length == null ? -1 : length;
            this.kind = kind;
            this.sum = sum;
            this.digest = kind == null ? null : new dev.migrator.provider.ChecksumDigest(Set.of(kind));
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n;
            try {
                n = super.read(buf, off, len);
            } catch (SdkException e) {
                throw new IOException(e.getMessage(), e);
            }
            if (n < 0) {
                if (expected >= 0 && count < expected) {
                    eof = true;
                    throw new IOException("response body ended after " + count + " of " + expected + " bytes");
                }
                if (digest != null && !eof) {
                    eof = true;
                    String got = digest.result().get(kind);
                    if (!sum.equals(got)) {
                        throw new IOException("the body read has " + kind + " " + got + " but the store reports "
                                + sum + "; data was damaged on the way");
                    }
                }
                eof = true;
            } else {
                count += n;
                if (digest != null) {
                    digest.update(buf, off, n);
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // Through read, so skipped bytes are counted and a short body is still noticed.
            byte[] scratch = new byte[(int) Math.min(8192, Math.max(n, 1))];
            long skipped = 0;
            while (skipped < n) {
                int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public void close() throws IOException {
            if (!eof) {
                body.abort();
            }
            super.close();
        }
    }
}
