package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.migrator.embedded.EmbeddedS3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's main job: `migrator demo` with the PostgreSQL service, end to end, into databases this test owns. */
class DemoTest {
    final String name = "mig_plan_demo_" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    Path dir;

    static Connection connect(String db) throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + db, "postgres", "");
    }

    @AfterEach
    void drop() throws Exception {
        try (Connection c = connect("postgres"); Statement st = c.createStatement()) {
            for (String db : new String[] {name + "_old", name + "_new", name + "_new_drill"}) {
                st.execute("drop database if exists " + db + " with (force)");
            }
        }
    }

    @Test
    void theDemoPlansRunsAndVerifiesObjectsAndADatabase() throws Exception {
        CliRun demo = CliRun.of("demo", "--to", dir.resolve("new-host").toString(), "--users", "5", "--database-name", name);
        assertThat(demo.exit()).as(demo.all()).isZero();
        assertThat(demo.out()).contains("Seeded PostgreSQL database").contains("Critical path").contains("Freeze window")
                .contains("cutover/db/db-verify").contains("Verification: 5 of 5 verify steps").contains("Done");
        assertThat(demo.all()).doesNotContain(EmbeddedS3Server.SECRET_KEY);
        assertThat(Files.readString(dir.resolve("exit.yaml.state/report.md"))).contains("| yes |");
        assertThat(Files.exists(dir.resolve("dns.flag"))).as("the switch hook ran").isTrue();
        try (Connection c = connect(name + "_new"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from posts where id = 9999999")) {
            rs.next();
            assertThat(rs.getLong(1)).as("the row written during the pre-copy arrived at cut-over").isEqualTo(1);
        }
    }

    @Test
    void theDemoRunsAgainInTheSameFolderRemovingOnlyWhatItMade() throws Exception {
        Path newHost = dir.resolve("new-host");
        Files.writeString(dir.resolve("notes.txt"), "mine");
        CliRun first = CliRun.of("demo", "--to", newHost.toString(), "--users", "3", "--no-postgres");
        assertThat(first.exit()).as(first.all()).isZero();
        assertThat(first.out()).doesNotContain("Starting clean").doesNotContain("Pruned by cutover/media/delta-1of4");
        assertThat(dir.resolve(DemoFolder.MARKER)).exists();

        CliRun second = CliRun.of("demo", "--to", newHost.toString(), "--users", "3", "--no-postgres");
        assertThat(second.exit()).as(second.all()).isZero();
        assertThat(second.out()).contains("Starting clean: removed what the previous demo left in " + dir + ": exit.yaml, exit.yaml.state, "
                + "new-host").contains("Done");
        assertThat(Files.readString(dir.resolve("notes.txt"))).as("a file the demo did not make stays").isEqualTo("mine");
    }

    @Test
    void aFolderTheDemoDidNotMakeIsRefusedAndLeftAlone() throws Exception {
        Path newHost = dir.resolve("new-host");
        Files.createDirectories(newHost);
        Files.writeString(newHost.resolve("precious.db"), "only copy");
        CliRun demo = CliRun.of("demo", "--to", newHost.toString(), "--users", "3", "--no-postgres");
        assertThat(demo.exit()).as(demo.all()).isEqualTo(2);
        assertThat(demo.err()).contains(newHost + " already exists and was not made by 'migrator demo'").doesNotContain("Exception");
        assertThat(Files.readString(newHost.resolve("precious.db"))).isEqualTo("only copy");
    }
}
