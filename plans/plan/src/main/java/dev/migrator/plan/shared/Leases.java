package dev.migrator.plan.shared;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Claims on work units, each carrying a lease. A claim is a create-only blob {@code claims/UNIT/GENERATION}: of the
 * workers racing for a generation exactly one creates it. The holder renews its lease by replacing
 * {@code leases/UNIT/GENERATION} (only the holder of that generation writes it). When a lease has expired (the holder
 * died or was cut off), any worker may claim the next generation and take the unit over; the old holder, should it
 * come back, sees the newer generation at its next renewal and stops ({@link Lease#lost}).
 *
 * <p>After creating a claim the winner reads it back after a short settling pause: a store whose create-only check is
 * not atomic (S3Proxy checks, then writes) could let two racers both "create"; the later write is the one read back, so
 * the earlier racer gives up. Lease expiry is compared with this machine's clock: workers' clocks must agree to well
 * within the lease (NTP does).
 */
public final class Leases {
    static final ObjectMapper JSON = new ObjectMapper();

    private final SharedState state;
    private final String holder;
    private final Duration lease;
    private final Duration settle;
    private final Clock clock;

    /**
     * @param holder who claims (host and pid, for a person reading the state)
     * @param lease  how long a claim lasts without renewal
     * @param settle the pause before reading a new claim back
     */
    public Leases(SharedState state, String holder, Duration lease, Duration settle, Clock clock) {
        this.state = state;
        this.holder = holder;
        this.lease = lease;
        this.settle = settle;
        this.clock = clock;
    }

    public Duration lease() {
        return lease;
    }

    /** Who holds {@code unit} now, with the lease's end, or empty when no one does (never claimed, or expired). */
    public Optional<Holding> holding(String unit) {
        List<String> gens = state.list("claims/" + unit + "/");
        if (gens.isEmpty()) {
            return Optional.empty();
        }
        String gen = gens.get(gens.size() - 1);
        JsonNode claim = json(state.read("claims/" + unit + "/" + gen));
        JsonNode renewed = json(state.read("leases/" + unit + "/" + gen));
        long expires = (renewed.has("expires") ? renewed : claim).path("expires").asLong(0);
        return Optional.of(new Holding(Integer.parseInt(gen), claim.path("holder").asText("?"), expires, expires > clock.millis()));
    }

    /**
     * A unit's latest claim.
     *
     * @param generation the claim's generation (0 for the first)
     * @param holder     who made it
     * @param expires    when its lease ends (epoch millis)
     * @param live       whether it has not ended yet
     */
    public record Holding(int generation, String holder, long expires, boolean live) {
    }

    /** Claims {@code unit} if no one holds it: empty when someone does, or when another worker won the race. */
    public Optional<Lease> tryClaim(String unit) {
        Optional<Holding> now = holding(unit);
        if (now.isPresent() && now.get().live()) {
            return Optional.empty();
        }
        int gen = now.map(h -> h.generation() + 1).orElse(0);
        String name = "claims/" + unit + "/" + String.format("%06d", gen);
        String token = UUID.randomUUID().toString();
        ObjectNode claim = JSON.createObjectNode().put("holder", holder).put("token", token)
                .put("expires", clock.millis() + lease.toMillis()).put("taken-over", now.map(Holding::holder).orElse(null));
        boolean created = state.create(name, bytes(claim));
        // A retried create whose first try succeeded is refused by our own claim: the token tells.
        if (!created && !token.equals(json(state.read(name)).path("token").asText())) {
            return Optional.empty();
        }
        sleep(settle);
        if (!token.equals(json(state.read(name)).path("token").asText())) {
            return Optional.empty();
        }
        return Optional.of(new Lease(unit, gen, now.map(Holding::holder).orElse(null)));
    }

    /** A held claim. */
    public final class Lease {
        private final String unit;
        private final int generation;
        private final String tookOverFrom;

        Lease(String unit, int generation, String tookOverFrom) {
            this.unit = unit;
            this.generation = generation;
            this.tookOverFrom = tookOverFrom;
        }

        public String unit() {
            return unit;
        }

        public int generation() {
            return generation;
        }

        /** The holder whose expired claim this one replaced, or null for a first claim. */
        public String tookOverFrom() {
            return tookOverFrom;
        }

        /** Extends the lease; false when a newer claim exists (this worker was presumed dead and must stop the unit). */
        public boolean renew() {
            if (lost()) {
                return false;
            }
            ObjectNode n = JSON.createObjectNode().put("holder", holder).put("expires", clock.millis() + lease.toMillis());
            state.write("leases/" + unit + "/" + String.format("%06d", generation), bytes(n));
            return true;
        }

        /** Ends the lease now (the unit is done, or this worker stops), so another worker need not wait for it to expire. */
        public void release() {
            ObjectNode n = JSON.createObjectNode().put("holder", holder).put("expires", 0).put("released", true);
            state.write("leases/" + unit + "/" + String.format("%06d", generation), bytes(n));
        }

        /** Whether another worker has claimed a newer generation. */
        public boolean lost() {
            List<String> gens = state.list("claims/" + unit + "/");
            return !gens.isEmpty() && Integer.parseInt(gens.get(gens.size() - 1)) > generation;
        }
    }

    static byte[] bytes(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(Optional<byte[]> bytes) {
        if (bytes.isEmpty()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(bytes.get());
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "unreadable shared state entry: " + e.getMessage(), e);
        }
    }

    private static void sleep(Duration d) {
        if (d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigratorException(ErrorCode.INTERRUPTED, "interrupted while claiming a unit", e);
        }
    }
}
