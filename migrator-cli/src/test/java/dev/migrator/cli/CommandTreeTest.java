package dev.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A run builds only the command it names (start-up), and a person sees the same as with the whole tree. */
class CommandTreeTest {

    @Test
    void aNamedCommandGetsOnlyItsOwnModel() {
        assertThat(Main.commandLine("copy", "a", "b").getSubcommands()).containsOnlyKeys("copy");
        assertThat(Main.commandLine("--debug", "verify", "a", "b").getSubcommands()).containsOnlyKeys("verify");
        assertThat(Main.commandLine("--version").getSubcommands()).isEmpty();
    }

    @Test
    void theTopHelpTheHelpCommandAMisspeltCommandAndTheDemoGetTheWholeTree() {
        int all = Main.commandLine().getSubcommands().size();
        assertThat(all).isGreaterThan(10);
        for (String[] args : new String[][] {{}, {"--help"}, {"help", "copy"}, {"cpy"}, {"demo"}, {"--version", "--help"}}) {
            assertThat(Main.commandLine(args).getSubcommands()).as(String.join(" ", args)).hasSize(all);
        }
    }

    @Test
    void aBadOptionReadsTheSameAsInTheWholeTree(@TempDir Path dir) {
        String[] args = {"copy", "--no-such-option", dir.toString(), dir.resolve("out").toString()};
        CommandLine whole = Main.commandLine();
        java.io.StringWriter expected = new java.io.StringWriter();
        whole.setErr(new java.io.PrintWriter(expected));
        whole.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("migrator: " + e.getMessage());
            return 2;
        });
        assertThat(whole.execute(args)).isEqualTo(2);

        CliRun run = CliRun.of(args);
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith(expected.toString().strip()).contains("Try 'migrator copy --help'.");
    }

    @Test
    void anInheritedOptionBeforeTheCommandStillApplies(@TempDir Path dir) {
        CliRun run = CliRun.of("--debug", "copy", dir.resolve("missing").toString(), dir.resolve("out").toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("does not exist").contains("at dev.migrator."); // --debug: the stack trace
    }
}
