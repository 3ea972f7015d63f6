package dev.migrator.provider.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import dev.migrator.provider.Content;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.ObjectStoreContract;
import dev.migrator.testkit.azure.Azurite;
import dev.migrator.testkit.fault.Fault;
import dev.migrator.testkit.fault.FaultPlan;
import dev.migrator.testkit.fault.FaultProxy;
import java.io.InputStream;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What is particular to Azure, against Azurite: metadata names, staged-block resume, copies, errors. */
class AzureObjectStoreTest {
    private static final long PART = ObjectStoreContract.PART_SIZE;
    private static Azurite azurite;

    @BeforeAll
    static void start() {
        azurite = Azurite.shared();
    }

    private static ObjectStore store(String container, int concurrency) {
        return Stores.openAdapter(AzureTestSupport.uri(azurite.endpoint(), container, ""),
                new StoreOptions(PART, concurrency, Retry.NONE));
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static String md5(byte[] data) {
        return Digests.hex(Digests.md5().digest(data));
    }

    @Test
    void metadataNamesAzureCannotHoldRoundTripAndNativeOnesReadBack() {
        String container = AzureTestSupport.newContainer(azurite, "meta");
        try (ObjectStore store = store(container, 2)) {
            Map<String, String> user = Map.of("owner-id", "42", "x.y", "dotted", "plain", "p", "migx_odd", "o", "9start", "n");
            store.put("m", Content.of(new byte[] {1}), new ObjectMetadata("text/plain", "gzip", "no-cache",
                    "inline", user));
            assertThat(store.stat("m").orElseThrow().metadata().userMetadata()).isEqualTo(user);
            try (var listed = store.list("")) {
                assertThat(listed.findFirst().orElseThrow().metadata().userMetadata()).isEqualTo(user);
            }
            // What Azure itself holds: identifiers only.
            BlobContainerClient c = AzureTestSupport.service(azurite.accountUrl()).getBlobContainerClient(container);
            assertThat(c.getBlobClient("m").getProperties().getMetadata().keySet())
                    .allMatch(k -> k.matches("[A-Za-z_][A-Za-z0-9_]*"));
            // A blob written by another Azure tool, with a native name in capitals.
            c.getBlobClient("native").upload(BinaryData.fromString("n"));
            c.getBlobClient("native").setMetadata(Map.of("Department", "Ops"));
            assertThat(store.stat("native").orElseThrow().metadata().userMetadata()).containsExactly(Map.entry("department", "Ops"));
            // A value that is not ASCII travels encoded and reads back as it was.
            ObjectMetadata unicode = new ObjectMetadata(null, null, null, null, Map.of("title", "naïve ☕"));
            store.put("unicode", Content.of(new byte[] {1}), unicode);
            assertThat(store.stat("unicode").orElseThrow().metadata().userMetadata()).isEqualTo(unicode.userMetadata());
        }
    }

    @Test
    void languageExpiresTiersAndTagsRoundTripOnPutCopyAndListing() {
        String container = AzureTestSupport.newContainer(azurite, "fidelity");
        try (ObjectStore store = store(container, 2)) {
            ObjectMetadata meta = new ObjectMetadata("text/html", null, "max-age=5", null, Map.of("a-b", "1"), "de-CH",
                    java.time.Instant.parse("2030-01-02T03:04:05Z"), "Cool", Map.of("Team", "media ops", "cost/center", "42"));
            ObjectInfo small = store.put("small", Content.of(new byte[] {1, 2}), meta);
            store.put("large", Content.of(random((int) PART + 10, 1)), meta);
            for (String key : new String[] {"small", "large"}) {
                ObjectMetadata back = store.stat(key).orElseThrow().metadata();
                assertThat(back.sameAs(meta)).as(key + ": " + back).isTrue();
            }
            try (var listed = store.list("")) {
                // Complete, or left to a stat when the listing does not carry the tags.
                listed.forEach(o -> assertThat(o.metadata() == null || o.metadata().sameAs(meta))
                        .as(o.key() + ": " + o.metadata()).isTrue());
            }
            assertThat(small.metadata().storageClass()).isEqualTo("Cool");
            // Server-side copy keeps it all, or sets what it is asked to.
            ObjectStore.ServerSideCopy copy = store.serverSideCopyFrom(store).orElseThrow();
            copy.copy("small", "kept", null);
            assertThat(store.stat("kept").orElseThrow().metadata().sameAs(meta)).isTrue();
            ObjectMetadata hot = meta.withStorageClass(null).withTags(Map.of());
            copy.copy("small", "hot", hot);
            ObjectMetadata back = store.stat("hot").orElseThrow().metadata();
            assertThat(back.sameAs(hot)).as(back.toString()).isTrue();
            // No class given: the account's default (inferred) tier reads back as no class.
            store.put("default", Content.of(new byte[] {3}), ObjectMetadata.EMPTY);
            assertThat(store.stat("default").orElseThrow().metadata().storageClass()).isNull();
        }
    }

    @Test
    void anArchivedBlobIsReportedWithWhatToDoBeforeAnyCopy() {
        String container = AzureTestSupport.newContainer(azurite, "archive");
        try (ObjectStore store = store(container, 2)) {
            store.put("cold", Content.of(new byte[] {1, 2, 3}), ObjectMetadata.EMPTY.withStorageClass("Archive"));
            assertThat(store.stat("cold").orElseThrow().metadata().storageClass()).isEqualTo("Archive");
            assertThatThrownBy(() -> store.serverSideCopyFrom(store).orElseThrow().copy("cold", "thawed", null))
                    .isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                        assertThat(e.getMessage()).contains("'cold'").contains("Archive").contains("set-tier");
                    });
            assertThat(store.stat("thawed")).isEmpty();
            assertThatThrownBy(() -> store.open("cold", 0, -1).readAllBytes())
                    .isInstanceOfSatisfying(MigratorException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                        assertThat(e.getMessage()).contains("'cold'").contains("rehydrated");
                    });
        }
    }

    @Test
    void anUploadCutOffAfterTwoBlocksResumesFromTheStagedBlocks() {
        String container = AzureTestSupport.newContainer(azurite, "resume");
        byte[] data = random((int) (4 * PART + 1234), 5);
        try (FaultProxy proxy = FaultProxy.start(azurite.endpoint(), FaultPlan.none())) {
            // One block at a time: the third block's request is reset and (without retries) the upload fails.
            ObjectStore first = Stores.openAdapter(AzureTestSupport.uri(proxy.endpoint(), container, ""),
                    new StoreOptions(PART, 1, Retry.NONE));
            proxy.plan(FaultPlan.sequence(null, null, Fault.RESET).only(r -> r.target().contains("comp=block&")));
            assertThatThrownBy(() -> first.put("big", Content.of(data), ObjectMetadata.EMPTY))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.retryable()).isTrue());
            first.close();
            assertThat(((AzureObjectStore) first).blocksStaged.get()).isEqualTo(2);
        }
        try (ObjectStore again = store(container, 2)) {
            // Nothing is visible before the commit.
            assertThat(again.stat("big")).isEmpty();
            ObjectInfo put = again.put("big", Content.of(data), new ObjectMetadata("video/mp4", null, null, null, Map.of()));
            AzureObjectStore azure = (AzureObjectStore) again;
            assertThat(azure.blocksReused.get()).isEqualTo(2);
            assertThat(azure.blocksStaged.get()).isEqualTo(3);
            assertThat(put.checksums().md5()).isEqualTo(md5(data));
            ObjectInfo stat = again.stat("big").orElseThrow();
            assertThat(stat.size()).isEqualTo(data.length);
            assertThat(stat.checksums().md5()).isEqualTo(md5(data));
            try (InputStream in = again.open("big", 0, -1)) {
                assertThat(md5(in.readAllBytes())).isEqualTo(md5(data));
            }
            // Different bytes under the same key reuse nothing: block IDs carry their MD5.
            byte[] other = random((int) (2 * PART + 7), 6);
            again.put("big", Content.of(other), ObjectMetadata.EMPTY);
            assertThat(azure.blocksReused.get()).isEqualTo(2);
            try (InputStream in = again.open("big", 0, -1)) {
                assertThat(md5(in.readAllBytes())).isEqualTo(md5(other));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void serverSideCopyBetweenContainersOfOneAccountWithNewMetadata() throws Exception {
        String a = AzureTestSupport.newContainer(azurite, "copya");
        String b = AzureTestSupport.newContainer(azurite, "copyb");
        try (ObjectStore from = store(a, 2); ObjectStore to = store(b, 2)) {
            byte[] data = random(3000, 9);
            from.put("src", Content.of(data), new ObjectMetadata("image/png", null, "max-age=1", null, Map.of("k-1", "v")));
            ObjectStore.ServerSideCopy copy = to.serverSideCopyFrom(from).orElseThrow();
            ObjectMetadata replaced = new ObjectMetadata("image/webp", null, null, "inline", Map.of());
            ObjectInfo copied = copy.copy("src", "dst", replaced);
            assertThat(copied.checksums().md5()).isEqualTo(md5(data));
            assertThat(copied.metadata()).isEqualTo(replaced);
            copy.copy("src", "kept", null);
            assertThat(to.stat("kept").orElseThrow().metadata()).isEqualTo(from.stat("src").orElseThrow().metadata());
            try (InputStream in = to.open("dst", 0, -1)) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
            assertThatThrownBy(() -> copy.copy("missing", "x", null))
                    .isInstanceOfSatisfying(MigratorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        }
    }

    @Test
    void aMissingContainerIsBadInputFromEveryMethod() {
        try (ObjectStore store = store("no-such-container", 2)) {
            for (Runnable r : new Runnable[] {
                    () -> store.stat("k"),
                    () -> store.list("").count(),
                    () -> store.put("k", Content.of(new byte[] {1}), ObjectMetadata.EMPTY),
                    () -> store.put("big", Content.of(new byte[(int) PART + 1]), ObjectMetadata.EMPTY),
                    () -> store.open("k", 0, -1),
                    () -> store.delete("k")}) {
                assertThatThrownBy(r::run).isInstanceOfSatisfying(MigratorException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.getMessage()).contains("no-such-container").contains("create it");
                });
            }
        }
    }

    @Test
    void aWrongKeyIsAnAuthErrorWithoutTheKey() {
        String container = AzureTestSupport.newContainer(azurite, "auth");
        String wrong = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmcta2V5LXdyb25nLWtleQ==";
        String uri = "az://" + Azurite.ACCOUNT + "/" + container + "?endpoint=" + azurite.endpoint() + "&account-key="
                + java.net.URLEncoder.encode(wrong, java.nio.charset.StandardCharsets.UTF_8);
        try (ObjectStore store = Stores.openAdapter(uri, StoreOptions.DEFAULTS)) {
            assertThatThrownBy(() -> store.stat("k")).isInstanceOfSatisfying(MigratorException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.AUTH);
                assertThat(e.getMessage()).doesNotContain(wrong).contains("account-key=");
            });
        }
    }

    @Test
    void rangedReadsAtTheEdges() throws Exception {
        String container = AzureTestSupport.newContainer(azurite, "ranges");
        try (ObjectStore store = store(container, 2)) {
            byte[] data = random(1000, 3);
            store.put("r", Content.of(data), ObjectMetadata.EMPTY);
            store.put("empty", Content.of(new byte[0]), ObjectMetadata.EMPTY);
            try (InputStream in = store.open("r", 1000, -1)) {
                assertThat(in.readAllBytes()).isEmpty();
            }
            try (InputStream in = store.open("r", 5, 0)) {
                assertThat(in.readAllBytes()).isEmpty();
            }
            try (InputStream in = store.open("empty", 0, -1)) {
                assertThat(in.readAllBytes()).isEmpty();
            }
            assertThat(store.openWithInfo("r").info().checksums().md5()).isEqualTo(md5(data));
        }
    }
}
