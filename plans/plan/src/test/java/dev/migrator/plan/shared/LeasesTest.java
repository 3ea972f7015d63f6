package dev.migrator.plan.shared;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.embedded.EmbeddedS3Server;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Claims through real stores: a shared local folder and S3 (S3Proxy, If-None-Match: *). */
class LeasesTest {
    static EmbeddedS3Server s3;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        s3 = EmbeddedS3Server.inMemory();
        s3.createBucket("state");
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    private String uri(String kind, String name) {
        return kind.equals("file") ? dir.resolve(name).toUri().toString() : s3.s3Uri("state", name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "s3"})
    void twoWorkersRacingForOneUnitExactlyOneWinsAndTheOtherTakesAnother(String kind) throws Exception {
        try (StoreState state = StoreState.open(uri(kind, "race"))) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < 5; round++) {
                    String unit = "unit-" + round;
                    String other = "other-" + round;
                    CyclicBarrier start = new CyclicBarrier(2);
                    List<Future<List<String>>> got = new ArrayList<>();
                    for (String holder : List.of("a", "b")) {
                        Leases leases = new Leases(state, holder, Duration.ofSeconds(30), Duration.ofMillis(50), Clock.systemUTC());
                        got.add(pool.submit(() -> {
                            start.await();
                            List<String> mine = new ArrayList<>();
                            for (String u : List.of(unit, other)) {
                                if (leases.tryClaim(u).isPresent()) {
                                    mine.add(u);
                                    break; // one unit at a time, as a worker does
                                }
                            }
                            return mine;
                        }));
                    }
                    List<String> a = got.get(0).get();
                    List<String> b = got.get(1).get();
                    assertThat(a).hasSize(1);
                    assertThat(b).hasSize(1);
                    assertThat(List.of(a.get(0), b.get(0))).as("round " + round).containsExactlyInAnyOrder(unit, other);
                    assertThat(state.list("claims/" + unit + "/")).containsExactly("000000");
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "s3"})
    void anExpiredLeaseIsTakenOverAndTheOldHolderLearnsItLostIt(String kind) throws Exception {
        try (StoreState state = StoreState.open(uri(kind, "takeover"))) {
            Leases dying = new Leases(state, "dying", Duration.ofMillis(2000), Duration.ZERO, Clock.systemUTC());
            Leases alive = new Leases(state, "alive", Duration.ofSeconds(30), Duration.ZERO, Clock.systemUTC());
            Leases.Lease old = dying.tryClaim("u").orElseThrow();
            assertThat(old.renew()).isTrue();
            assertThat(alive.tryClaim("u")).as("a live lease is not taken").isEmpty();
            Thread.sleep(2200); // the holder stops renewing, as a killed worker does
            assertThat(alive.holding("u").orElseThrow().live()).isFalse();
            Optional<Leases.Lease> taken = alive.tryClaim("u");
            assertThat(taken).isPresent();
            assertThat(taken.get().generation()).isEqualTo(1);
            assertThat(taken.get().tookOverFrom()).isEqualTo("dying");
            assertThat(old.renew()).as("the old holder must stop").isFalse();
            assertThat(old.lost()).isTrue();
            assertThat(dying.tryClaim("u")).as("now held by alive").isEmpty();
            taken.get().release();
            assertThat(dying.tryClaim("u")).as("a released lease is free at once").isPresent();
        }
    }
}
