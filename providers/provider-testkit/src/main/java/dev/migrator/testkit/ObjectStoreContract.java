package dev.migrator.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import dev.migrator.provider.StorageClasses;
import dev.migrator.provider.ProviderFactory;
import dev.migrator.provider.Stores;
import java.io.IOException;
import java.net.URI;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite every {@link ObjectStore} adapter runs (rclone's fstests): extend it, give it
 * a fresh store, and every contract written on {@link ObjectStore} is checked against the real client
 * and a real server.
 */
public abstract class ObjectStoreContract {
    /** The part size fixtures must open stores with, so multipart uploads are exercised cheaply. */
    public static final long PART_SIZE = 5L * 1024 * 1024;
    /** The most objects a fixture's listing page may hold, so paging is exercised. */
    public static final int MAX_PAGE_SIZE = 10;

    /** Keys that break naive adapters: unicode, spaces, {@code +}, {@code %}, {@code //}, a trailing {@code /}. */
    public static final List<String> AWKWARD_KEYS = List.of(
            "café/naïve ☃.txt",
            "emoji 😀/𝄞 clef",
            "with space/and  two",
            "a+b=c&d.txt",
            "100%/%2F%zz",
            "double//slash///x",
            "dir/",
            "dir/inside",
            "question?hash#.bin",
            "back\\slash",
            "~tilde/[brackets] {braces} 'quote\" <lt>",
            "dots/./and/../x",
            "under_score-dash.dot",
            "x".repeat(Keys.MAX_KEY_BYTES));

    protected ObjectStore store;

    /**
     * A store over a fresh, empty root, opened with {@link #PART_SIZE} parts and listing pages of at
     * most {@link #MAX_PAGE_SIZE} objects. The suite closes it.
     */
    protected abstract ObjectStore newStore();

    /**
     * The requests the fixture's server has received so far (of all kinds, or at least every listing request),
     * or -1 when the fixture cannot count them; the laziness and listing-from-a-key checks count with it the
     * requests a listing makes.
     */
    protected long requestsSoFar() {
        return -1;
    }

    /**
     * The secret values the fixture put in the store's URI (a key, a password), which must never be in its
     * {@link ObjectStore#displayUri()}. A fixture of a provider that declares secret parameters
     * ({@link ProviderFactory#secretParameters}) must give at least one, or {@link #displayUriCarriesNoSecrets} fails.
     */
    protected List<String> secretsInUri() {
        return List.of();
    }

    // --- versions begin
    /**
     * A store like {@link #newStore()} whose bucket keeps versions, for the version cases of a store that declares
     * {@link Capabilities#versions()}; null (the default) when the fixture's server has no versioned buckets. The
     * case closes it.
     */
    protected ObjectStore newVersionedStore() {
        return null;
    }
    // --- versions end

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    protected static byte[] randomBytes(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    protected static byte[] read(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected static List<ObjectInfo> listAll(ObjectStore s, String prefix) {
        try (Stream<ObjectInfo> objects = s.list(prefix)) {
            return objects.toList();
        }
    }

    private static String md5(byte[] data) {
        return Digests.hex(Digests.md5().digest(data));
    }

    private static void assertStored(ObjectInfo stored, byte[] data) {
        assertThat(stored.size()).isEqualTo(data.length);
        if (stored.checksums().md5() != null) {
            assertThat(stored.checksums().md5()).isEqualTo(md5(data));
        }
    }

    @Test
    void putThenStatAndReadBackWithAllMetadata() {
        byte[] data = "hello, new host\n".getBytes(StandardCharsets.UTF_8);
        ObjectMetadata meta = new ObjectMetadata("text/plain; charset=utf-8", "identity", "public, max-age=60",
                "attachment; filename=\"hello.txt\"", Map.of("origin", "old-cloud", "owner-id", "42"));

        ObjectInfo put = store.put("greeting.txt", Content.of(data), meta);
        assertStored(put, data);

        ObjectInfo stat = store.stat("greeting.txt").orElseThrow();
        assertThat(stat.key()).isEqualTo("greeting.txt");
        assertStored(stat, data);
        assertThat(stat.metadata().sameAs(meta)).as("%s same as %s", stat.metadata(), meta).isTrue();
        assertThat(stat.metadata().userMetadata()).isEqualTo(meta.userMetadata());
        assertThat(stat.metadata().contentDisposition()).isEqualTo(meta.contentDisposition());
        assertThat(read(store.open("greeting.txt", 0, -1))).isEqualTo(data);
    }

    @Test
    void objectWithoutMetadataStatsAsEmptyMetadata() {
        store.put("plain", Content.of(new byte[] {1, 2, 3}), ObjectMetadata.EMPTY);
        ObjectMetadata meta = store.stat("plain").orElseThrow().metadata();
        // A store may default the content type to a generic binary one; it must not invent anything else.
        assertThat(meta.sameAs(ObjectMetadata.EMPTY)).as("%s", meta).isTrue();
    }

    /**
     * Awkward keys the store cannot hold bytes-exact and therefore refuses, on every method, with
     * {@link ErrorCode#BAD_INPUT} naming the key (Azure turns a backslash into {@code /}); empty for most stores.
     * A refused key is never stored under another name.
     */
    protected Set<String> refusedKeys() {
        return Set.of();
    }

    @Test
    void awkwardKeysSurviveBytesExact() {
        List<String> accepted = AWKWARD_KEYS.stream().filter(k -> !refusedKeys().contains(k)).toList();
        for (String key : refusedKeys()) {
            assertThatThrownBy(() -> store.put(key, Content.of(new byte[] {1}), ObjectMetadata.EMPTY)).as(key)
                    .isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                        assertThat(e.getMessage()).contains(key);
                    });
            assertThatThrownBy(() -> store.stat(key)).as(key).isInstanceOf(MigratorException.class);
            assertThatThrownBy(() -> store.delete(key)).as(key).isInstanceOf(MigratorException.class);
        }
        for (int i = 0; i < AWKWARD_KEYS.size(); i++) {
            String key = AWKWARD_KEYS.get(i);
            if (accepted.contains(key)) {
                store.put(key, Content.of(("content of #" + i).getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);
            }
        }
        List<String> expected = new ArrayList<>(accepted);
        expected.sort(Keys.ORDER);
        assertThat(listAll(store, "").stream().map(ObjectInfo::key).toList()).containsExactlyElementsOf(expected);

        for (int i = 0; i < AWKWARD_KEYS.size(); i++) {
            String key = AWKWARD_KEYS.get(i);
            if (!accepted.contains(key)) {
                continue;
            }
            byte[] want = ("content of #" + i).getBytes(StandardCharsets.UTF_8);
            assertThat(store.stat(key)).as(key).map(ObjectInfo::size).contains((long) want.length);
            assertThat(read(store.open(key, 0, -1))).as(key).isEqualTo(want);
        }
    }

    @Test
    void zeroByteObject() {
        ObjectInfo put = store.put("empty", Content.of(new byte[0]), ObjectMetadata.EMPTY);
        assertStored(put, new byte[0]);
        assertThat(store.stat("empty").orElseThrow().size()).isZero();
        assertThat(read(store.open("empty", 0, -1))).isEmpty();
        assertThat(listAll(store, "").stream().map(ObjectInfo::key)).containsExactly("empty");
    }

    @Test
    void objectLargerThanOnePartRoundTrips() {
        byte[] data = randomBytes((int) (2 * PART_SIZE + 12345), 7);
        ObjectMetadata meta = new ObjectMetadata("video/mp4", null, null, null, Map.of("k", "v"));
        ObjectInfo put = store.put("media/big.mp4", Content.of(data), meta);
        assertStored(put, data);

        ObjectInfo stat = store.stat("media/big.mp4").orElseThrow();
        assertThat(stat.size()).isEqualTo(data.length);
        assertThat(stat.metadata().sameAs(meta)).as("%s", stat.metadata()).isTrue();
        byte[] back = read(store.open("media/big.mp4", 0, -1));
        assertThat(md5(back)).isEqualTo(md5(data));
    }

    @Test
    void listingPagesInKeyOrderAndHonoursPrefix() {
        int n = 3 * MAX_PAGE_SIZE + 5;
        List<String> keys = IntStream.range(0, n).mapToObj(i -> "page/" + Integer.toString(i * 7919 % 1000, 36)).toList();
        keys.forEach(k -> store.put(k, Content.of(k.getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY));
        store.put("pagf", Content.of(new byte[1]), ObjectMetadata.EMPTY);
        store.put("other/x", Content.of(new byte[1]), ObjectMetadata.EMPTY);

        List<ObjectInfo> listed = listAll(store, "page/");
        List<String> expected = new ArrayList<>(keys);
        expected.sort(Keys.ORDER);
        assertThat(listed.stream().map(ObjectInfo::key).toList()).containsExactlyElementsOf(expected);
        listed.forEach(o -> assertThat(o.size()).isEqualTo(o.key().getBytes(StandardCharsets.UTF_8).length));
        assertThat(listAll(store, "")).hasSize(n + 2);
        assertThat(listAll(store, "nothing-here/")).isEmpty();
    }

    @Test
    void listingIsLazy() {
        int pages = 5;
        for (int i = 0; i < pages * MAX_PAGE_SIZE; i++) {
            store.put("lazy/" + (100 + i), Content.of(new byte[] {(byte) i}), ObjectMetadata.EMPTY);
        }
        assertListingIsLazy(store, this::requestsSoFar, pages);
    }

    /**
     * Taking the first object of a listing of {@code pages} full pages reads at most two pages' requests (one,
     * and a store's check of its bucket): an adapter that reads every page before returning fails. Without a
     * request count only the first object is checked.
     */
    protected static void assertListingIsLazy(ObjectStore s, java.util.function.LongSupplier requests, int pages) {
        long before = requests.getAsLong();
        try (Stream<ObjectInfo> objects = s.list("lazy/")) {
            Optional<ObjectInfo> first = objects.findFirst();
            assertThat(first).map(ObjectInfo::key).contains("lazy/100");
        }
        if (before >= 0) {
            assertThat(requests.getAsLong() - before).as("requests to take the first of " + pages + " pages").isLessThanOrEqualTo(2);
        }
    }

    @Test
    void listingFromAKeyStartsAfterIt() {
        List<String> keys = IntStream.range(0, 3 * MAX_PAGE_SIZE).mapToObj(i -> "from/" + (100 + i)).toList();
        keys.forEach(k -> store.put(k, Content.of(new byte[1]), ObjectMetadata.EMPTY));
        store.put("from0", Content.of(new byte[1]), ObjectMetadata.EMPTY);
        // Exclusive: an existing key is not listed again; a key between two existing ones starts at the next.
        assertThat(keysAfter("from/", "from/125")).containsExactlyElementsOf(keys.subList(26, keys.size()));
        assertThat(keysAfter("from/", "from/125a")).containsExactlyElementsOf(keys.subList(26, keys.size()));
        assertThat(keysAfter("from/", null)).containsExactlyElementsOf(keys);
        assertThat(keysAfter("from/", "a")).containsExactlyElementsOf(keys); // before the prefix: all of it
        assertThat(keysAfter("from/", "from/129")).isEmpty();
        assertThat(keysAfter("", "from/128")).containsExactly("from/129", "from0");
    }

    private List<String> keysAfter(String prefix, String startAfter) {
        try (Stream<ObjectInfo> objects = store.list(prefix, startAfter)) {
            return objects.map(ObjectInfo::key).toList();
        }
    }

    /** Declared {@link Capabilities#listFromKey()}: the listing starts there on the server, not at the prefix. */
    @Test
    void listingFromAKeyDoesNotReadTheKeysBeforeIt() {
        assumeTrue(store.capabilities().listFromKey(), "the store does not declare listing from a key");
        assumeTrue(requestsSoFar() >= 0, "the fixture cannot count requests");
        int pages = 5;
        for (int i = 0; i < pages * MAX_PAGE_SIZE; i++) {
            store.put("seek/" + (100 + i), Content.of(new byte[1]), ObjectMetadata.EMPTY);
        }
        long before = requestsSoFar();
        String last = "seek/" + (100 + pages * MAX_PAGE_SIZE - 1);
        try (Stream<ObjectInfo> objects = store.list("seek/", "seek/" + (100 + pages * MAX_PAGE_SIZE - 3))) {
            assertThat(objects.map(ObjectInfo::key).toList()).containsExactly("seek/" + (100 + pages * MAX_PAGE_SIZE - 2), last);
        }
        assertThat(requestsSoFar() - before).as("requests to list the last two of " + pages + " pages").isLessThanOrEqualTo(2);
    }

    @Test
    void declaredServerSideCopyCopiesWithinTheStore() {
        assumeTrue(store.capabilities().serverSideCopy(), "the store does not declare server-side copy");
        byte[] data = randomBytes(1000, 11);
        ObjectMetadata meta = new ObjectMetadata("text/plain", null, null, null, Map.of("k", "v"));
        store.put("ssc/source", Content.of(data), meta);
        ObjectStore.ServerSideCopy copy = store.serverSideCopyFrom(store).orElseThrow(
                () -> new AssertionError("declares server-side copy but offers none from itself"));
        copy.copy("ssc/source", "ssc/copy", null);
        assertThat(read(store.open("ssc/copy", 0, -1))).isEqualTo(data);
        assertThat(store.stat("ssc/copy").orElseThrow().metadata()).isEqualTo(meta);
    }

    /**
     * Whether the server behind the fixture decides create-only writes atomically. S3Proxy honours
     * {@code If-None-Match: *} but checks and then writes, so simultaneous racers can all win there (seen in CI): its
     * fixture says false, and only the sequential checks run there. Real S3, GCS and a
     * local disk decide atomically.
     */
    protected boolean serverCreatesAtomically() {
        return true;
    }

    @Test
    void declaredConditionalCreateLetsExactlyOneRacerWin() throws Exception {
        assumeTrue(store.capabilities().conditionalCreate(), "the store does not declare create-only writes");
        ObjectMetadata meta = new ObjectMetadata("application/json", null, null, null, Map.of("holder", "first"));
        ObjectInfo first = store.createIfAbsent("claims/unit-1", Content.of("first".getBytes(StandardCharsets.UTF_8)), meta)
                .orElseThrow(() -> new AssertionError("a create-only write of a new key did not create it"));
        assertThat(first.size()).isEqualTo(5);
        assertThat(store.createIfAbsent("claims/unit-1", Content.of("second".getBytes(StandardCharsets.UTF_8)),
                ObjectMetadata.EMPTY)).as("a second create of the same key").isEmpty();
        assertThat(read(store.open("claims/unit-1", 0, -1))).isEqualTo("first".getBytes(StandardCharsets.UTF_8));
        assertThat(store.stat("claims/unit-1").orElseThrow().metadata()).isEqualTo(meta);

        // Racers: every round, 8 threads create the same fresh key at once; exactly one wins and its bytes are stored.
        int rounds = serverCreatesAtomically() ? 5 : 0; // the sequential checks above still hold on such a server
        int racers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            for (int round = 0; round < rounds; round++) {
                String key = "claims/race-" + round;
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(racers);
                List<Future<Boolean>> results = new ArrayList<>();
                for (int r = 0; r < racers; r++) {
                    byte[] mine = ("racer " + r).getBytes(StandardCharsets.UTF_8);
                    results.add(pool.submit(() -> {
                        start.await();
                        return store.createIfAbsent(key, Content.of(mine), ObjectMetadata.EMPTY).isPresent();
                    }));
                }
                List<Integer> winners = new ArrayList<>();
                for (int r = 0; r < racers; r++) {
                    if (results.get(r).get()) {
                        winners.add(r);
                    }
                }
                assertThat(winners).as("winners of round " + round).hasSize(1);
                assertThat(new String(read(store.open(key, 0, -1)), StandardCharsets.UTF_8)).isEqualTo("racer " + winners.get(0));
            }
        } finally {
            pool.shutdownNow();
        }
        try (Stream<ObjectInfo> listed = store.list("claims/")) {
            assertThat(listed.map(ObjectInfo::key)).as("no temporary names left").hasSize(1 + rounds);
        }
    }

    @Test
    void declaredMovableFilesAreTaken() throws IOException {
        assumeTrue(store.capabilities().movableFiles(), "the store does not declare taking movable files");
        byte[] data = randomBytes(3000, 12);
        java.nio.file.Path file = java.nio.file.Files.createTempFile("contract-movable", ".bin");
        try {
            java.nio.file.Files.write(file, data);
            store.put("movable", Content.movable(file), ObjectMetadata.EMPTY);
            assertThat(read(store.open("movable", 0, -1))).isEqualTo(data);
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    @Test
    void declaredChecksumsAreReportedAndRight() {
        Set<Capabilities.ChecksumKind> kinds = store.capabilities().checksums();
        assumeTrue(!kinds.isEmpty(), "the store declares no checksums");
        byte[] data = randomBytes(2000, 13);
        store.put("sums", Content.of(data), ObjectMetadata.EMPTY);
        Checksums stat = store.stat("sums").orElseThrow().checksums();
        Checksums right = dev.migrator.provider.ChecksumDigest.of(java.util.EnumSet.allOf(Capabilities.ChecksumKind.class), data);
        for (Capabilities.ChecksumKind kind : kinds) {
            assertThat(stat.get(kind)).as(kind.name()).isEqualTo(right.get(kind));
        }
        // Whatever else the store reports must be right too: a wrong extra value would pass a broken copy.
        for (Capabilities.ChecksumKind kind : stat.kinds()) {
            assertThat(stat.get(kind)).as(kind.name()).isEqualTo(right.get(kind));
        }
    }

    // --- sums begin
    /** {@code bytes} whose {@link Content#known()} claims {@code known}, as a copy from another store passes them. */
    protected static Content withKnown(byte[] bytes, Checksums known) {
        Content plain = Content.of(bytes);
        return new Content() {
            @Override
            public long size() {
                return plain.size();
            }

            @Override
            public InputStream open() throws IOException {
                return plain.open();
            }

            @Override
            public Checksums known() {
                return known;
            }
        };
    }

    private static Checksums allOf(byte[] data) {
        return dev.migrator.provider.ChecksumDigest.of(java.util.EnumSet.allOf(Capabilities.ChecksumKind.class), data);
    }

    /**
     * Content that comes with its right checksums (a copy from a store that reported them), in one piece and in
     * parts: the store keeps the declared ones (or one it was given), and whatever it reports, from the put and
     * from stat, is right. A store that keeps a multipart upload's checksum only as COMPOSITE must not report it.
     */
    @Test
    void knownChecksumsAreKeptAndEveryReportedOneIsRight() {
        for (int size : new int[] {3000, (int) (PART_SIZE + 1000)}) {
            byte[] data = randomBytes(size, 31 + size);
            Checksums right = allOf(data);
            String key = "known-" + size;
            ObjectInfo put = store.put(key, withKnown(data, right), ObjectMetadata.EMPTY);
            Checksums stat = store.stat(key).orElseThrow().checksums();
            for (Capabilities.ChecksumKind kind : put.checksums().kinds()) {
                assertThat(put.checksums().get(kind)).as(size + " bytes, " + kind + " from put").isEqualTo(right.get(kind));
            }
            for (Capabilities.ChecksumKind kind : stat.kinds()) {
                assertThat(stat.get(kind)).as(size + " bytes, " + kind + " from stat").isEqualTo(right.get(kind));
            }
            if (size < PART_SIZE && !store.capabilities().checksums().isEmpty()) {
                assertThat(stat.kinds()).as("a one-piece put given every checksum keeps one where the store keeps any")
                        .isNotEmpty();
            }
            assertThat(read(store.open(key, 0, -1))).isEqualTo(data);
        }
    }

    /**
     * Content whose claimed checksum is false (the source's stored value does not match the bytes read): a store
     * that sends it is refused with an integrity error naming the key and keeps nothing under it; a store that
     * ignores claims stores the bytes and reports only values that are right for them. Never the false value.
     */
    @Test
    void aFalseKnownChecksumIsNeverKept() {
        for (int size : new int[] {3000, (int) (PART_SIZE + 1000)}) {
            byte[] data = randomBytes(size, 41 + size);
            Checksums right = allOf(data);
            String wrong = String.format("%08x", Long.parseLong(right.crc32c(), 16) ^ 1);
            String key = "false-claim-" + size;
            try {
                store.put(key, withKnown(data, Checksums.of(Capabilities.ChecksumKind.CRC32C, wrong)), ObjectMetadata.EMPTY);
            } catch (MigratorException e) {
                assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.INTEGRITY);
                assertThat(e.getMessage()).contains(key);
                assertThat(store.stat(key)).as("nothing kept under a refused key").isEmpty();
                continue;
            }
            Checksums stat = store.stat(key).orElseThrow().checksums();
            assertThat(stat.crc32c()).isNotEqualTo(wrong);
            for (Capabilities.ChecksumKind kind : stat.kinds()) {
                assertThat(stat.get(kind)).as(size + " bytes, " + kind).isEqualTo(right.get(kind));
            }
        }
    }
    // --- sums end

    /** A class of the store's provider other than its default, or null when it has none. */
    protected static String nonDefaultClass(StorageClasses.Family family) {
        return switch (family) {
            case S3 -> "STANDARD_IA";
            case GCS -> "NEARLINE";
            case AZURE -> "Cool";
            case ANY -> "DEEP_ARCHIVE";
            case NONE -> null;
        };
    }

    /** Language, expiry, Unicode user metadata, tags and a storage class, as far as the store declares them. */
    protected ObjectMetadata extendedMetadata() {
        Capabilities c = store.capabilities();
        return new ObjectMetadata("text/html; charset=utf-8", null, "no-cache", null,
                Map.of("city", "Zürich – 東京 ☕", "plain", "ascii"), "de-CH",
                c.expires() ? java.time.Instant.parse("2030-01-02T03:04:05Z") : null,
                nonDefaultClass(c.storageClasses()),
                c.tags() ? Map.of("Project", "exit 2026", "team", "ops+db", "e=mc2", "a/b") : Map.of());
    }

    @Test
    void languageExpiryUnicodeMetadataTagsAndStorageClassSurvive() {
        ObjectMetadata meta = extendedMetadata();
        store.put("fidelity/small.html", Content.of("<p>hi</p>".getBytes(StandardCharsets.UTF_8)), meta);
        ObjectMetadata back = store.stat("fidelity/small.html").orElseThrow().metadata();
        assertThat(back.sameAs(meta)).as("%s same as %s", back, meta).isTrue();
        assertThat(back.tags()).isEqualTo(meta.tags());
        assertThat(back.userMetadata()).isEqualTo(meta.userMetadata());
        // The same through a multipart upload, which sends the metadata in another request.
        byte[] big = randomBytes((int) (PART_SIZE + 1000), 21);
        store.put("fidelity/big.bin", Content.of(big), meta.withContentType("application/octet-stream"));
        ObjectMetadata bigBack = store.stat("fidelity/big.bin").orElseThrow().metadata();
        assertThat(bigBack.sameAs(meta.withContentType(null))).as("%s", bigBack).isTrue();
    }

    @Test
    void aClassOfAnotherProviderIsWrittenAsTheMappedOne() {
        StorageClasses.Family family = store.capabilities().storageClasses();
        assumeTrue(family == StorageClasses.Family.S3 || family == StorageClasses.Family.GCS
                || family == StorageClasses.Family.AZURE, "the store keeps any class name or none");
        String foreign = family == StorageClasses.Family.GCS ? "STANDARD_IA" : "NEARLINE";
        store.put("fidelity/mapped", Content.of(new byte[] {1}), ObjectMetadata.EMPTY.withStorageClass(foreign));
        assertThat(store.stat("fidelity/mapped").orElseThrow().metadata().storageClass())
                .isEqualTo(StorageClasses.forTarget(foreign, StorageClasses.Family.ANY, family, null));
    }

    // --- versions begin
    @Test
    void declaredVersionsListTheHistoryOldestFirstAndReadEachVersion() throws InterruptedException {
        assumeTrue(store.capabilities().versions(), "the store does not declare versions");
        assertThat(store.keepsVersions()).as("a fresh bucket without versioning").isFalse();
        ObjectStore v = newVersionedStore();
        assumeTrue(v != null, "the fixture has no versioned bucket");
        try (v) {
            assertThat(v.keepsVersions()).isTrue();
            byte[] one = "one".getBytes(StandardCharsets.UTF_8);
            v.put("k", Content.of(one), ObjectMetadata.EMPTY);
            Thread.sleep(5); // distinct times, so the order by time and the order written agree
            v.put("k", Content.of("two!".getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);
            Thread.sleep(5);
            v.delete("k");
            Thread.sleep(5);
            v.put("k", Content.of("three".getBytes(StandardCharsets.UTF_8)), ObjectMetadata.EMPTY);
            v.put("j", Content.of(one), ObjectMetadata.EMPTY);
            List<dev.migrator.provider.ObjectVersion> all;
            try (Stream<dev.migrator.provider.ObjectVersion> versions = v.listVersions("")) {
                all = versions.toList();
            }
            assertThat(all).extracting(dev.migrator.provider.ObjectVersion::key).containsExactly("j", "k", "k", "k", "k");
            assertThat(all).extracting(dev.migrator.provider.ObjectVersion::deleteMarker).containsExactly(false, false, false, true, false);
            assertThat(all).extracting(x -> x.info().size()).containsExactly(3L, 3L, 4L, 0L, 5L);
            for (int i = 2; i < all.size(); i++) {
                assertThat(all.get(i).info().lastModified()).isAfterOrEqualTo(all.get(i - 1).info().lastModified());
            }
            dev.migrator.provider.ObjectVersion first = all.get(1);
            assertThat(read(v.openVersion("k", first.versionId(), 0, -1))).isEqualTo(one);
            assertThat(read(v.openVersion("k", first.versionId(), 1, 1))).isEqualTo("n".getBytes(StandardCharsets.UTF_8));
            ObjectInfo stat = v.statVersion("k", first.versionId()).orElseThrow();
            assertThat(stat.size()).isEqualTo(3);
            assertThat(stat.metadata()).isNotNull();
            assertStored(stat, one);
            assertThat(read(v.open("k", 0, -1))).isEqualTo("three".getBytes(StandardCharsets.UTF_8));
            try (Stream<dev.migrator.provider.ObjectVersion> versions = v.listVersions("j")) {
                assertThat(versions.map(dev.migrator.provider.ObjectVersion::key).toList()).containsExactly("j");
            }
            // More versions of one key than a listing page holds: the history still comes whole and in order.
            for (int i = 0; i <= MAX_PAGE_SIZE; i++) {
                v.put("m", Content.of(new byte[i]), ObjectMetadata.EMPTY);
            }
            try (Stream<dev.migrator.provider.ObjectVersion> versions = v.listVersions("m")) {
                assertThat(versions.map(x -> x.info().size()).toList())
                        .containsExactlyElementsOf(IntStream.rangeClosed(0, MAX_PAGE_SIZE).mapToObj(i -> (long) i).toList());
            }
        }
    }

    @Test
    void aStoreWithoutVersionsRefusesThemClearly() {
        assumeTrue(!store.capabilities().versions(), "the store declares versions");
        assertThat(store.keepsVersions()).isFalse();
        assertThatThrownBy(() -> store.listVersions("")).isInstanceOf(MigratorException.class)
                .satisfies(e -> assertThat(((MigratorException) e).code()).isEqualTo(ErrorCode.BAD_INPUT))
                .hasMessageContaining("does not keep object versions");
    }
    // --- versions end

    @Test
    void rangedReads() {
        byte[] data = randomBytes(100_000, 3);
        store.put("ranged", Content.of(data), ObjectMetadata.EMPTY);
        assertThat(read(store.open("ranged", 10, 100))).isEqualTo(java.util.Arrays.copyOfRange(data, 10, 110));
        assertThat(read(store.open("ranged", 99_000, -1))).isEqualTo(java.util.Arrays.copyOfRange(data, 99_000, 100_000));
        assertThat(read(store.open("ranged", 99_990, 50))).isEqualTo(java.util.Arrays.copyOfRange(data, 99_990, 100_000));
        assertThat(read(store.open("ranged", 0, 1))).containsExactly(data[0]);
    }

    @Test
    void notFoundBehaviour() {
        assertThat(store.stat("missing")).isEmpty();
        assertThatThrownBy(() -> read(store.open("missing", 0, -1)))
                .isInstanceOfSatisfying(MigratorException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                    assertThat(e.getMessage()).contains("missing");
                });
        store.delete("missing");
    }

    @Test
    void deleteRemovesAndIsIdempotent() {
        store.put("gone", Content.of(new byte[] {1}), ObjectMetadata.EMPTY);
        store.put("kept", Content.of(new byte[] {2}), ObjectMetadata.EMPTY);
        store.delete("gone");
        store.delete("gone");
        assertThat(store.stat("gone")).isEmpty();
        assertThat(listAll(store, "").stream().map(ObjectInfo::key)).containsExactly("kept");
    }

    @Test
    void putReplacesContentAndMetadata() {
        store.put("v", Content.of(new byte[] {1, 1}), new ObjectMetadata("a/b", null, null, null, Map.of("x", "1")));
        byte[] second = {2, 2, 2};
        store.put("v", Content.of(second), new ObjectMetadata("c/d", null, null, null, Map.of("y", "2")));
        ObjectInfo stat = store.stat("v").orElseThrow();
        assertStored(stat, second);
        assertThat(stat.metadata().contentType()).isEqualTo("c/d");
        assertThat(stat.metadata().userMetadata()).containsExactly(Map.entry("y", "2"));
        assertThat(read(store.open("v", 0, -1))).isEqualTo(second);
    }

    @Test
    void putReplaysItsContentSource() {
        // put may open the content more than once (retries); the source must be opened at least once
        // and the stored bytes must be exactly one copy of it.
        byte[] data = randomBytes(4096, 11);
        int[] opens = {0};
        Content counting = new Content() {
            @Override
            public long size() {
                return data.length;
            }

            @Override
            public InputStream open() {
                opens[0]++;
                return new java.io.ByteArrayInputStream(data);
            }
        };
        store.put("replay", counting, ObjectMetadata.EMPTY);
        assertThat(opens[0]).isGreaterThanOrEqualTo(1);
        assertThat(read(store.open("replay", 0, -1))).isEqualTo(data);
    }

    @Test
    void concurrentPutsAndReads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    byte[] data = randomBytes(1000 + n, n);
                    store.put("conc/" + n, Content.of(data), ObjectMetadata.EMPTY);
                    assertThat(read(store.open("conc/" + n, 0, -1))).isEqualTo(data);
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(listAll(store, "conc/")).hasSize(32);
    }

    @Test
    void displayUriCarriesNoSecrets() {
        String shown = store.displayUri();
        assertThat(shown).doesNotContainIgnoringCase("secret").doesNotContain("password");
        ProviderFactory factory = Stores.factoryFor(URI.create(shown));
        if (!factory.secretParameters().isEmpty()) {
            assertThat(secretsInUri()).as("the fixture of a provider taking " + factory.secretParameters()
                    + " must open its store with one and name it in secretsInUri()").isNotEmpty();
        }
        for (String secret : secretsInUri()) {
            assertThat(shown).doesNotContain(secret)
                    .doesNotContain(java.net.URLEncoder.encode(secret, StandardCharsets.UTF_8));
        }
    }
}
