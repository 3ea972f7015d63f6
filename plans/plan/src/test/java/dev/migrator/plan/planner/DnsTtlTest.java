package dev.migrator.plan.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.migrator.plan.PlanRunner;
import dev.migrator.plan.model.Hook;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.PlanParser;
import dev.migrator.plan.report.PlanOutput;
import dev.migrator.plan.report.RunReport;
import dev.migrator.provider.Content;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ObjectStore;
import dev.migrator.provider.StoreOptions;
import dev.migrator.provider.Stores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A DNS switch hook with a ttl: its TTL is lowered at the start, and the switch waits until the old TTL has expired. */
class DnsTtlTest {
    @TempDir
    Path dir;

    private static String yaml(String deadline, String ttl) {
        return """
                deadline: %s
                sources: {old: {uri: 'file:///srv/old', objects: 100, size: 1MiB}}
                targets: {new: 'file:///srv/new'}
                moves: [{from: old, to: new}]
                hooks:
                  freeze: 'true'
                  switch: {name: dns, run: './point-dns-at-new-host', ttl: %s, lower-ttl: './set-ttl 60'}
                """.formatted(deadline, ttl);
    }

    @Test
    void theSwitchIsScheduledAfterTheOldTtlHasExpiredSinceItWasLowered() {
        Plan plan = PlanParser.parse(Path.of("dns.yaml"), yaml("24h", "3600"));
        Hook dns = plan.hooks().get(1);
        assertThat(dns.ttl().toSeconds()).isEqualTo(3600);
        Planner.Result r = Planner.plan(plan, Inventory.DECLARED);
        Schedule s = r.schedule();
        double lowered = s.end().get("presync/hook/dns/lower-ttl");
        assertThat(s.start().get("presync/hook/dns/lower-ttl")).as("first thing in the pre-copy").isZero();
        assertThat(s.start().get("cutover/hook/dns")).isCloseTo(lowered + 3600, org.assertj.core.data.Offset.offset(0.01));
        assertThat(s.total()).isGreaterThan(3600);
        PlanOutput.Dns d = PlanOutput.dns(r).get(0);
        assertThat(d.waitSeconds()).isPositive();
        assertThat(d.warning()).isNull();
        assertThat(PlanOutput.text(r)).contains("DNS:            switch hook 'dns': TTL 1h00m lowered by 5.0 s, so the old one has expired at 1h00m")
                .contains("(it waits ").doesNotContain("WARN:");
        assertThat(PlanOutput.json(r)).contains("\"ttlSeconds\" : 3600");
    }

    @Test
    void aDeadlineTooCloseForTheOldTtlIsAWarningThatSaysWhatToDo() {
        Planner.Result r = Planner.plan(PlanParser.parse(Path.of("dns.yaml"), yaml("30m", "1h")), Inventory.DECLARED);
        PlanOutput.Dns d = PlanOutput.dns(r).get(0);
        assertThat(d.warning()).contains("the deadline 30m00s is missed only because the switch waits")
                .contains("lower the TTL by hand at least 1h00m before the run");
        assertThat(PlanOutput.text(r)).contains("WARN:           the deadline 30m00s");
    }

    @Test
    void aTtlNeedsTheCommandThatLowersItAndOnlyASwitchHookHasOne() {
        assertThatThrownBy(() -> PlanParser.parse(Path.of("dns.yaml"), yaml("1h", "3600").replace(", lower-ttl: './set-ttl 60'", "")))
                .isInstanceOf(MigratorException.class).hasMessageContaining("dns.yaml:7:").hasMessageContaining("ttl 3600 needs 'lower-ttl'");
        assertThatThrownBy(() -> PlanParser.parse(Path.of("dns.yaml"), yaml("1h", "3600").replace("freeze: 'true'",
                "freeze: {run: 'true', ttl: 60}"))).isInstanceOf(MigratorException.class).hasMessageContaining("unknown key 'ttl' in a hook");
    }

    /** A real run: the switch hook starts only once the old TTL (2 s) has passed since the lower-ttl command finished. */
    @Test
    void aRunWaitsOutTheOldTtlBeforeTheSwitch() throws Exception {
        Path src = dir.resolve("src");
        try (ObjectStore s = Stores.open(src.toUri().toString(), StoreOptions.DEFAULTS)) {
            s.put("a", Content.of(new byte[10]), new ObjectMetadata("text/plain", null, null, null, Map.of()));
        }
        Path file = dir.resolve("dns.yaml");
        Files.writeString(file, """
                sources: {old: '%s'}
                targets: {new: '%s'}
                moves: [{from: old, to: new}]
                hooks:
                  switch: {name: dns, run: 'date +%%s%%N > switched', ttl: 2, lower-ttl: 'date +%%s%%N > lowered'}
                """.formatted(src.toUri(), dir.resolve("dst").toUri()));
        RunReport r = PlanRunner.run(PlanParser.parse(file), PlanRunner.Options.of(dir.resolve("state")), false, null, new ArrayList<>());
        assertThat(r.exitCode()).as(r.summary()).isZero();
        long lowered = Long.parseLong(Files.readString(dir.resolve("lowered")).strip());
        long switched = Long.parseLong(Files.readString(dir.resolve("switched")).strip());
        assertThat(switched - lowered).as("nanoseconds from lowering the TTL to the switch").isGreaterThanOrEqualTo(2_000_000_000L);
        List<String> ids = r.result().outcomes().stream().map(o -> o.step().id()).toList();
        assertThat(ids).contains("presync/hook/dns/lower-ttl", "cutover/hook/dns/ttl-wait", "cutover/hook/dns");
    }
}
