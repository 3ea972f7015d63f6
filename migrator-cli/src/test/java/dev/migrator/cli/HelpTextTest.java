package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What `migrator --help` and `--version` show a person. */
class HelpTextTest {

    /** Every command, walked from the picocli model (new commands are checked without listing them here). */
    static List<CommandLine> commands(CommandLine c) {
        List<CommandLine> all = new ArrayList<>(List.of(c));
        c.getSubcommands().values().stream().distinct().forEach(s -> all.addAll(commands(s)));
        return all;
    }

    @Test
    void everyCommandsOneLineDescriptionIsAWholeSentence() {
        List<CommandLine> all = commands(Main.commandLine());
        assertThat(all).hasSizeGreaterThan(10);
        for (CommandLine c : all) {
            var usage = c.getCommandSpec().usageMessage();
            // The command list shows the header's first line, or the description's when there is no header.
            String[] lines = usage.header().length > 0 ? usage.header() : usage.description();
            String name = c.getCommandSpec().qualifiedName();
            assertThat(lines).as(name + " has a description").isNotEmpty();
            String first = lines[0].strip();
            assertThat(first).as(name + ": '" + first + "' starts a sentence").matches("[A-Z].*");
            assertThat(first).as(name + ": '" + first + "' ends a sentence").matches("(?s).*[.!?]");
        }
    }

    @Test
    void theTopHelpListsEachCommandWithAWholeSentence() {
        CliRun help = CliRun.of("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out().replaceAll("\\s+", " ")).contains("bundle Snapshot sources into a portable bundle, check it, and restore it anywhere.")
                .doesNotContain("SHA256SUMS),");
    }

    @Test
    void versionNamesTheVersionAndTheCommit() {
        CliRun v = CliRun.of("--version");
        assertThat(v.exit()).isZero();
        // Built from this git checkout, the commit is known: a short hash.
        assertThat(v.out()).matches("(?s)migrator \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?, commit [0-9a-f]{7,}.*\\nproviders: .*file.*s3.*\\n.*");
    }
}
