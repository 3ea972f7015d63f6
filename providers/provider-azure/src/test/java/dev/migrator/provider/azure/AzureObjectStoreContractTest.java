package dev.migrator.provider.azure;

import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.Retry;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import dev.migrator.testkit.ObjectStoreContract;
import dev.migrator.testkit.azure.Azurite;
import dev.migrator.testkit.fault.FaultPlan;
import dev.migrator.testkit.fault.FaultProxy;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance suite through the real Azure client against Azurite, with an undisturbing proxy in front
 * that counts the listing requests ({@code comp=list}).
 */
class AzureObjectStoreContractTest extends ObjectStoreContract {
    private static final AtomicLong LISTINGS = new AtomicLong();
    private static Azurite azurite;
    private static FaultProxy counter;

    @BeforeAll
    static void start() {
        azurite = Azurite.shared();
        counter = FaultProxy.start(azurite.endpoint(), r -> {
            if (r.target().contains("comp=list") && r.target().contains("restype=container")) {
                LISTINGS.incrementAndGet();
            }
            return null;
        });
    }

    @AfterAll
    static void stop() {
        if (counter != null) {
            counter.close();
        }
    }

    @Override
    protected long requestsSoFar() {
        return LISTINGS.get();
    }

    @Override
    protected List<String> secretsInUri() {
        return List.of(Azurite.KEY);
    }

    @Override
    protected Set<String> refusedKeys() {
        return Set.of("back\\slash");
    }

    @Override
    protected ObjectStore newStore() {
        // A fresh container per test (the suite's 1024-byte key leaves no room for a prefix); small pages so
        // listings take several requests; PART_SIZE blocks so the big object is staged in several.
        String container = AzureTestSupport.newContainer(azurite, "contract");
        return Stores.openAdapter(AzureTestSupport.uri(counter.endpoint(), container, "") + "&page-size=" + MAX_PAGE_SIZE,
                new StoreOptions(PART_SIZE, 2, Retry.NONE));
    }
}
