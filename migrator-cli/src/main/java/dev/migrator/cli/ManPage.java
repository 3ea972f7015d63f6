package dev.migrator.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Writes {@code migrator.1}, the man page, from the picocli model: every command's synopsis, description and
 * options, so the page never drifts from {@code --help}. The build runs it (migrator-cli/pom.xml) for the
 * distribution's {@code man/man1/}. picocli-codegen's generator writes AsciiDoc, which would need Asciidoctor
 * to become troff; the page is simple enough to write as troff directly.
 */
public final class ManPage {
    private ManPage() {
    }

    /** {@code ManPage DIR}: writes DIR/migrator.1. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : ".");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("migrator.1"), render(Main.commandLine()), StandardCharsets.UTF_8);
    }

    static String render(CommandLine root) {
        CommandSpec top = root.getCommandSpec();
        String version = new Main.Version().getVersion()[0].split(",")[0];
        StringBuilder t = new StringBuilder();
        t.append(".TH MIGRATOR 1 \"").append(LocalDate.now()).append("\" \"").append(text(version)).append("\" \"User Commands\"\n");
        t.append(".SH NAME\nmigrator \\- ").append(text(first(top.usageMessage().description()))).append('\n');
        t.append(".SH SYNOPSIS\n.B migrator\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]\n");
        t.append(".SH DESCRIPTION\n");
        for (String line : top.usageMessage().description()) {
            t.append(text(line)).append('\n');
        }
        options(t, top);
        t.append(".SH COMMANDS\n");
        for (CommandLine c : commands(root)) {
            CommandSpec spec = c.getCommandSpec();
            if (spec == top || spec.userObject() instanceof CommandLine.HelpCommand) {
                continue;
            }
            t.append(".SS \"").append(text(spec.qualifiedName())).append("\"\n");
            spec.usageMessage().width(1000); // one line: troff wraps it
            String synopsis = new Help(spec, Help.defaultColorScheme(Help.Ansi.OFF)).synopsis(0).strip();
            t.append(".nf\n").append(text(synopsis.replaceAll("\\s+", " "))).append("\n.fi\n.PP\n");
            for (String line : spec.usageMessage().description()) {
                t.append(text(line)).append('\n');
            }
            for (PositionalParamSpec p : spec.positionalParameters()) {
                if (p.description().length > 0) {
                    t.append(".TP\n\\fI").append(text(p.paramLabel())).append("\\fR\n").append(text(described(p.description(), p.defaultValueString())))
                            .append('\n');
                }
            }
            options(t, spec);
        }
        t.append(".SH EXIT STATUS\n");
        for (String line : top.usageMessage().footer()) {
            String[] codeAndMeaning = line.strip().split("\\s+", 2);
            t.append(".TP\n.B ").append(codeAndMeaning[0]).append('\n').append(text(codeAndMeaning.length > 1 ? codeAndMeaning[1] : "")).append('\n');
        }
        t.append(".SH SEE ALSO\nThe README, docs/plan-format.md and docs/bundle-format.md in the source distribution.\n");
        return t.toString();
    }

    private static void options(StringBuilder t, CommandSpec spec) {
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) {
                continue;
            }
            t.append(".TP\n\\fB").append(text(String.join(", ", o.names()))).append("\\fR");
            if (o.arity().max() > 0) {
                t.append(" \\fI").append(text(o.paramLabel())).append("\\fR");
            }
            t.append('\n').append(text(described(o.description(), o.defaultValueString()))).append('\n');
        }
    }

    /** Every command below {@code c}, depth first, each once. */
    private static List<CommandLine> commands(CommandLine c) {
        List<CommandLine> all = new ArrayList<>(List.of(c));
        for (Map.Entry<String, CommandLine> e : c.getSubcommands().entrySet()) {
            if (e.getKey().equals(e.getValue().getCommandName())) { // aliases point at the same command
                all.addAll(commands(e.getValue()));
            }
        }
        return all;
    }

    private static String described(String[] description, String defaultValue) {
        return String.join(" ", description).replace("${DEFAULT-VALUE}", String.valueOf(defaultValue));
    }

    private static String first(String[] lines) {
        return lines.length == 0 ? "" : lines[0];
    }

    /** Troff-escapes one line: backslashes, hyphens and a leading '.' or '\''. */
    static String text(String s) {
        String e = s.replace("\\", "\\e").replace("-", "\\-").replace("%n", " ");
        return e.startsWith(".") || e.startsWith("'") ? "\\&" + e : e;
    }
}
