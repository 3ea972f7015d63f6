package dev.migrator.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.embedded.EmbeddedS3Server;
import dev.migrator.provider.Content;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.Keys;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Stores;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.local.LocalObjectStore;
import dev.migrator.testkit.ObjectStoreContract;
import dev.migrator.testkit.fault.FaultPlan;
import dev.migrator.testkit.fault.FaultProxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListingMergeTest {
    /**
     * Keys whose byte order differs from naive orders: '/' (0x2F) sorts after '-' and '.' but before '0', a
     * BMP character above the surrogates (U+FF5E) sorts before an emoji in UTF-8 but after it in UTF-16,
     * and the contract's awkward keys (//, trailing /, 1024 bytes, spaces, %).
     */
    static final List<String> KEYS;

    static {
        List<String> keys = new ArrayList<>(ObjectStoreContract.AWKWARD_KEYS);
        keys.addAll(List.of("a-b", "a.b", "a/", "a/b", "a/c/d", "a0", "ab", "media/1", "media/2", "media/keep/3",
                "media2/x", "é/x", "z", "\uFF5E wave", "😀 grin", "😁 beam"));
        KEYS = List.copyOf(keys);
    }

    /**
     * Without U+FF5E: the embedded S3 (S3Proxy's transient store) lists in UTF-16 order, so it puts a key
     * above U+FFFF before one in U+E000..U+FFFF, unlike S3 (UTF-8 bytes); the merge would rightly refuse it.
     */
    static final List<String> S3_KEYS = KEYS.stream().filter(k -> !k.startsWith("\uFF5E")).toList();

    static final List<Selection> SELECTIONS = List.of(
            Selection.ALL,
            new Selection(List.of("a/", "a/c/", "media/"), List.of("media/keep/"), null, null),
            new Selection(List.of("café/", "emoji 😀/", "nothing/"), List.of(), null, null),
            Selection.ALL.range("a", "b"),
            Selection.ALL.range("a/", "a0"),
            Selection.ALL.range(null, "a.b"),
            Selection.ALL.range("\uFF00", null),
            Selection.ALL.range("😀", "😁"), // common prefix is half a surrogate pair: must list from ""
            Selection.ALL.range("emoji", "emoji 😀/𝄞 d"),
            new Selection(List.of("z"), List.of(), "a", "b"), // include and range disjoint: nothing
            new Selection(List.of("media/"), List.of(), "media/1", "media/2"),
            new Selection(List.of("a", "media/"), List.of("a/"), "a.b", "media/2"));

    @TempDir
    Path dir;

    /** Keys i % 3 == 0 on both sides, 1 only at the source, 2 only at the target. */
    static void seed(ObjectStore source, ObjectStore target) {
        seed(KEYS, source, target);
    }

    static void seed(List<String> keys, ObjectStore source, ObjectStore target) {
        for (int i = 0; i < keys.size(); i++) {
            byte[] data = ("v" + i).getBytes(StandardCharsets.UTF_8);
            if (i % 3 != 2) {
                source.put(keys.get(i), Content.of(data), ObjectMetadata.EMPTY);
            }
            if (i % 3 != 1) {
                target.put(keys.get(i), Content.of(data), ObjectMetadata.EMPTY);
            }
        }
    }

    /** The merge worked out the slow way: every key, sorted, filtered by the selection, with the sides holding it. */
    static List<String> expected(Selection selection) {
        return expected(KEYS, selection);
    }

    static List<String> expected(List<String> keys, Selection selection) {
        List<String> out = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparing(keys::get, Keys.ORDER));
        for (int i : order) {
            if (selection.contains(keys.get(i))) {
                out.add(keys.get(i) + (i % 3 == 0 ? " ST" : i % 3 == 1 ? " S" : " T"));
            }
        }
        return out;
    }

    static List<String> merged(ListingMerge merge) {
        List<String> out = new ArrayList<>();
        try (merge) {
            while (merge.hasNext()) {
                ListingMerge.Pair p = merge.next();
                if (p.source() != null && p.target() != null) {
                    assertThat(p.source().key()).isEqualTo(p.target().key());
                }
                out.add(p.key() + " " + (p.source() != null ? "S" : "") + (p.target() != null ? "T" : ""));
            }
        }
        return out;
    }

    @Test
    void yieldsEachKeyOfTheSelectionOnceInByteOrderWithWhatEachSideHas() {
        LocalObjectStore source = new LocalObjectStore(dir.resolve("src"));
        LocalObjectStore target = new LocalObjectStore(dir.resolve("dst"));
        seed(source, target);
        assertThat(expected(Selection.ALL)).hasSize(KEYS.size());
        for (Selection selection : SELECTIONS) {
            assertThat(merged(ListingMerge.of(source, target, selection))).as(selection.toString())
                    .containsExactlyElementsOf(expected(selection));
        }
        // The order is UTF-8 bytes, not UTF-16: U+FF5E before the emoji; '/' between '.' and '0'.
        assertThat(merged(ListingMerge.of(source, target, Selection.ALL)))
                .containsSubsequence("a-b T", "a.b ST", "a/ S", "a/b T", "a0 S", "\uFF5E wave ST", "😀 grin S");
    }

    @Test
    void sameMergeOverTheEmbeddedS3() throws Exception {
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory()) {
            s3.createBucket("src");
            try (ObjectStore source = Stores.openAdapter(s3.s3Uri("src", ""), StoreOptions.DEFAULTS)) {
                LocalObjectStore target = new LocalObjectStore(dir.resolve("dst"));
                seed(S3_KEYS, source, target);
                for (Selection selection : SELECTIONS) {
                    assertThat(merged(ListingMerge.of(source, target, selection))).as(selection.toString())
                            .containsExactlyElementsOf(expected(S3_KEYS, selection));
                }
            }
        }
    }

    /**
     * A key-range shard of the last tenth of a bucket starts listing at its range: counted at the wire (a
     * proxy that counts ListObjectsV2 requests), it reads its own two pages, not the nineteen before them.
     */
    @Test
    void aShardOfTheLastKeysDoesNotPageThroughTheFirstOnes() throws Exception {
        AtomicLong listings = new AtomicLong();
        FaultPlan countListings = request -> {
            if (request.method().equals("GET") && request.target().contains("list-type=2")) {
                listings.incrementAndGet();
            }
            return null;
        };
        try (EmbeddedS3Server s3 = EmbeddedS3Server.inMemory();
             FaultProxy proxy = FaultProxy.start(s3.endpoint(), countListings)) {
            s3.createBucket("shard-src");
            String uri = "s3://shard-src/?endpoint=" + proxy.endpoint() + "&access-key=" + s3.accessKey()
                    + "&secret-key=" + s3.secretKey() + "&page-size=10";
            try (ObjectStore source = Stores.openAdapter(uri, StoreOptions.DEFAULTS);
                 ObjectStore target = new LocalObjectStore(dir.resolve("target"))) {
                for (int i = 0; i < 200; i++) {
                    source.put(String.format("k%03d", i), Content.of(new byte[] {(byte) i}), ObjectMetadata.EMPTY);
                }
                listings.set(0);
                List<String> keys = new ArrayList<>();
                try (ListingMerge merge = ListingMerge.intoTarget(source, target, Selection.ALL.range("k180", null))) {
                    merge.forEachRemaining(p -> keys.add(p.key()));
                }
                assertThat(keys).hasSize(20).startsWith("k180").endsWith("k199");
                // Pages of 10 from k18 (the start-after below k180): k180..k189, k190..k199, perhaps an empty third.
                assertThat(listings.get()).as("listing requests of the shard").isBetween(2L, 3L);
            }
        }
    }

    @Test
    void startAfterIsJustBelowTheRangeStart() {
        assertThat(ListingMerge.startAfter("", "k180")).isEqualTo("k18");
        assertThat(ListingMerge.startAfter("media/", "media/x")).isEqualTo("media/");
        assertThat(ListingMerge.startAfter("media/", "media/")).isNull();
        assertThat(ListingMerge.startAfter("", "a")).isNull();
        assertThat(ListingMerge.startAfter("", null)).isNull();
        assertThat(ListingMerge.startAfter("", "x😀")).isEqualTo("x"); // never half a surrogate pair
    }

    @Test
    void listsOnlyUnderTheIncludesAndStopsAtTheRangeEnd() {
        LocalObjectStore source = new LocalObjectStore(dir.resolve("src"));
        LocalObjectStore target = new LocalObjectStore(dir.resolve("dst"));
        seed(source, target);
        CopierTest.CountingList counted = new CopierTest.CountingList(source);
        Selection media = new Selection(List.of("media/"), List.of("media/keep/"), null, null);
        assertThat(merged(ListingMerge.of(counted, target, media))).isEqualTo(expected(media));
        long underMedia;
        try (Stream<ObjectInfo> s = source.list("media/")) {
            underMedia = s.count();
        }
        assertThat(counted.listed).as("only the keys under media/ are read, not the whole store").isEqualTo((int) underMedia);

        // A range without includes lists from the bounds' common prefix ("a"), and stops at the first key past the end.
        counted.listed = 0;
        Selection range = Selection.ALL.range("a-", "a/z");
        assertThat(merged(ListingMerge.of(counted, target, range))).isEqualTo(expected(range));
        long read;
        long all;
        try (Stream<ObjectInfo> s = source.list("")) {
            List<String> keys = s.map(ObjectInfo::key).toList();
            read = keys.stream().filter(k -> k.startsWith("a") && Keys.ORDER.compare(k, "a/z") < 0).count();
            all = keys.size();
        }
        // The keys under "a" up to the end (those before "a-", like "a+b=c&d.txt", are read and dropped: no
        // listing from a key yet), plus the first one past the end: never the rest of the store.
        assertThat(counted.listed).isEqualTo((int) read + 1).isLessThan((int) all);
    }

    @Test
    void prefixesAreSortedDisjointAndConfinedToTheRange() {
        assertThat(ListingMerge.prefixes(new Selection(List.of("b/", "a/x/", "a/", "c"), List.of(), null, null)))
                .containsExactly("a/", "b/", "c");
        assertThat(ListingMerge.prefixes(Selection.ALL.range("media/a", "media/m"))).containsExactly("media/");
        assertThat(ListingMerge.prefixes(new Selection(List.of("a/", "media/", "z/"), List.of(), "media/a", "media/m")))
                .containsExactly("media/");
        assertThat(ListingMerge.prefixes(new Selection(List.of("a/", "m/", "z/"), List.of(), "b", "y"))).containsExactly("m/");
        assertThat(ListingMerge.prefixes(Selection.ALL.range("😀a", "😀b"))).containsExactly("😀");
        assertThat(ListingMerge.commonPrefix("😀", "😁")).isEmpty();
        assertThat(ListingMerge.prefixes(Selection.ALL.range("c", null))).containsExactly("");
    }

    @Test
    void bothSidesEmptyOrATargetNotThereYet() throws Exception {
        LocalObjectStore source = new LocalObjectStore(Files.createDirectories(dir.resolve("src")));
        LocalObjectStore target = new LocalObjectStore(Files.createDirectories(dir.resolve("dst")));
        for (Selection selection : SELECTIONS) {
            assertThat(merged(ListingMerge.of(source, target, selection))).isEmpty();
        }
        source.put("k", Content.of(new byte[1]), ObjectMetadata.EMPTY);
        LocalObjectStore absent = new LocalObjectStore(dir.resolve("not-yet"));
        assertThat(merged(ListingMerge.intoTarget(source, absent, Selection.ALL))).containsExactly("k S");
        assertThatThrownBy(() -> ListingMerge.of(source, absent, Selection.ALL))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        // An absent source is never "no objects" (a pruner would delete everything).
        assertThatThrownBy(() -> ListingMerge.intoTarget(absent, source, Selection.ALL))
                .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void aStoreListingOutOfOrderFailsTheMergeLoudly() {
        LocalObjectStore source = new LocalObjectStore(dir.resolve("src"));
        LocalObjectStore target = new LocalObjectStore(dir.resolve("dst"));
        seed(source, target);
        ObjectStore reversed = new FlakyStore(source) {
            @Override
            public Stream<ObjectInfo> list(String prefix, String startAfter) {
                return real.list(prefix, startAfter).sorted(Comparator.comparing(ObjectInfo::key, Keys.ORDER).reversed());
            }
        };
        assertThatThrownBy(() -> merged(ListingMerge.of(reversed, target, Selection.ALL)))
                .isInstanceOf(MigratorException.class).hasMessageContaining("keys must come in UTF-8 byte order");
    }

    @Test
    void closingEarlyClosesBothListings() {
        LocalObjectStore source = new LocalObjectStore(dir.resolve("src"));
        LocalObjectStore target = new LocalObjectStore(dir.resolve("dst"));
        seed(source, target);
        Set<String> closed = new TreeSet<>();
        ObjectStore a = new FlakyStore(source) {
            @Override
            public Stream<ObjectInfo> list(String prefix, String startAfter) {
                return real.list(prefix, startAfter).onClose(() -> closed.add("source"));
            }
        };
        ObjectStore b = new FlakyStore(target) {
            @Override
            public Stream<ObjectInfo> list(String prefix, String startAfter) {
                return real.list(prefix, startAfter).onClose(() -> closed.add("target"));
            }
        };
        try (ListingMerge merge = ListingMerge.of(a, b, Selection.ALL)) {
            merge.next();
        }
        assertThat(closed).containsExactly("source", "target");
    }
}
