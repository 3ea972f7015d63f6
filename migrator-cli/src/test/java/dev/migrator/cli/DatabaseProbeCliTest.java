package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** probe PLAN on a PostgreSQL move (real server 127.0.0.1:5432): a dump rate, with --write a restore rate, no scratch left. */
class DatabaseProbeCliTest {
    @TempDir
    Path dir;
    String source;
    String target;

    @BeforeEach
    void createDatabases() throws SQLException {
        String id = UUID.randomUUID().toString().substring(0, 8);
        source = "mig_probe_src_" + id;
        target = "mig_probe_dst_" + id;
        DatabaseCliTest.exec(5432, "postgres", "create database " + source);
        // The largest table is the one sampled: 40,000 rows of ~100 bytes (4 MB) beside a small one.
        DatabaseCliTest.exec(5432, source, """
                create table small (id int primary key);
                insert into small select generate_series(1, 10);
                create table events (id bigint primary key, at timestamptz, body text, tags text[]);
                insert into events select g, now(), repeat(md5(g::text), 3), array['t' || g % 5]
                    from generate_series(1, 40000) g;""");
    }

    @AfterEach
    void drop() throws SQLException {
        DatabaseCliTest.exec(5432, "postgres", "drop database if exists " + source + " with (force)");
        DatabaseCliTest.exec(5432, "postgres", "drop database if exists " + target + " with (force)");
    }

    @Test
    void probePlanMeasuresTheDumpAndWithWriteTheRestoreRateAndThePlanUsesThem() throws Exception {
        // The target database does not exist yet (the restore creates it): the sample goes to its server's 'postgres'.
        Path plan = dir.resolve("db.yaml");
        Files.writeString(plan, """
                sources: {db: 'postgresql://postgres@127.0.0.1:5432/%s'}
                targets: {copy: 'postgresql://postgres@127.0.0.1:5432/%s'}
                moves: [{name: db-dump, from: db, to: copy, via: dump}]
                """.formatted(source, target));
        Path readOnly = dir.resolve("read.yaml");
        CliRun dump = CliRun.of("probe", plan.toString(), "-o", readOnly.toString());
        assertThat(dump.exit()).as(dump.all()).isZero();
        assertThat(Files.readString(readOnly)).containsPattern("#   db: dump of a sample of public\\.events: [0-9.]+ [KM]iB in [0-9.]+ s")
                .contains("#   copy: restore rate not probed (probe with --write)")
                .containsPattern("  db:\n    stream: [0-9.]+[KMG]iB/s\n    dump-start: [0-9.]+ms\n    fingerprint-start: [0-9.]+ms\n"
                        + "    hash-rate: [0-9.]+[KMG]iB/s\n    dump-stream: [0-9.]+[KMG]iB/s\n")
                .containsPattern("#   db: fingerprint of the sample's rows: [0-9.]+ [KM]iB in [0-9.]+ s")
                // the dump step compresses what it reads (pg_dump -Fd): the table dumped so by pg_dump itself, for its own rate
                .containsPattern("#   db: dump of public\\.events into files by the dump tool \\(a dump step's flags, its compression\\): "
                        + "[0-9.]+ [KM]iB of the table's stored size in [0-9.]+ s beyond its start")
                .doesNotContain("write-stream").doesNotContain("restore-start");

        Path cal = dir.resolve("cal.yaml");
        CliRun probe = CliRun.of("probe", plan.toString(), "--write", "-o", cal.toString());
        assertThat(probe.exit()).as(probe.all()).isZero();
        String text = Files.readString(cal);
        assertThat(text).contains("# copy: a target database, probed through its moves").containsPattern("#   copy: restore of that sample into a scratch schema \\(rolled back\\): [0-9.]+ [KM]iB in")
                .containsPattern("  copy:\n    write-stream: [0-9.]+[KMG]iB/s\n    restore-start: [0-9.]+ms\n"
                        + "    fingerprint-start: [0-9.]+ms\n    hash-rate: [0-9.]+[KMG]iB/s\n");
        // The starts are real timings of real tools: above a millisecond, and far below the old fixed second on a local server.
        for (String key : new String[]{"dump-start", "restore-start"}) {
            java.util.regex.Matcher ms = java.util.regex.Pattern.compile(key + ": ([0-9.]+)ms").matcher(text);
            assertThat(ms.find()).as(key).isTrue();
            assertThat(Double.parseDouble(ms.group(1))).as(key).isBetween(1.0, 5000.0);
        }
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("select count(*) from pg_namespace where nspname like 'migrator_probe_%'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the scratch schema is dropped").isZero();
        }
        assertThat(DatabaseCliTest.up(5432)).isTrue();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("select count(*) from pg_database where datname = '" + target + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the probe creates no target database").isZero();
        }
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + source, "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("select count(*) from events")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the source is only read").isEqualTo(40000);
        }

        CliRun planned = CliRun.of("plan", plan.toString(), "--calibration", cal.toString());
        assertThat(planned.exit()).as(planned.all()).isZero();
        assertThat(planned.all()).containsPattern("/s dump rate \\(probe\\) \\+ [0-9.]+ s start \\(probe\\)")
                .containsPattern("/s restore rate \\(probe\\) \\+ [0-9.]+ s start \\(probe\\)")
                .containsPattern("hashed in the databases at [0-9.]+ [KMG]iB/s \\(probe\\) \\+ [0-9.]+ s start \\(probe\\)");
        CliRun guessed = CliRun.of("plan", plan.toString());
        assertThat(guessed.all()).contains("/s dump rate (default, a guess) + 1 s start (default, a guess)")
                .contains("(5 × the dump rate, a guess) + 1 s start (default, a guess)");
    }
}
