package dev.migrator.cli;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Stores;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code migrator} command. */
@Command(name = "migrator",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Leave a cloud provider in a hurry: plan, copy, verify, bundle and rehearse an exit of object stores and databases.",
        subcommands = {CopyCommand.class, VerifyCommand.class, BundleCommand.class, PlanCommand.class, RunCommand.class,
            StatusCommand.class, WorkerCommand.class, K8sJobCommand.class, DrillCommand.class, ProbeCommand.class, DemoCommand.class, ServeS3Command.class,
            CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0    done, everything verified",
            "  1    failed",
            "  2    bad usage or bad input (unknown scheme, missing bucket, rejected credentials, ...)",
            "  3    verify found differences",
            "  4    partial: some objects failed, the rest were done",
            "  130  interrupted; run the same command again to resume"})
public final class Main {
    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Show stack traces and library debug logging.")
    static boolean debug;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests and {@link #main}). */
    public static int run(String... args) {
        // The S3 client rides on the JDK's HTTP keep-alive cache, which keeps only 5 idle connections
        // per host by default: with more transfers than that, every extra request would open (and,
        // over TLS, handshake) a new connection.
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", "64");
        }
        for (String a : args) {
            if (a.equals("--debug")) {
                System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
            }
        }
        CommandLine cli = new CommandLine(new Main());
        String[] locations = locationHelp();
        for (String name : new String[] {"copy", "verify"}) {
            cli.getSubcommands().get(name).getCommandSpec().usageMessage().footerHeading("%nLocations:%n").footer(locations);
        }
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(commandLine.getErr(), e));
        cli.setParameterExceptionHandler((e, args1) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("migrator: " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return ErrorCode.BAD_INPUT.exitCode();
        });
        return cli.execute(args);
    }

    /** The URI forms of every installed provider, for help texts. */
    private static String[] locationHelp() {
        return Stores.usage().stream().map(u -> "  " + u.replace("%", "%%")).toArray(String[]::new);
    }

    /** One clear line for a person; the stack trace only with --debug. */
    static int report(PrintWriter err, Throwable e) {
        MigratorException m = find(e);
        if (m != null) {
            err.println("migrator: " + m.getMessage());
            if (debug) {
                e.printStackTrace(err);
            }
            err.flush();
            return m.code().exitCode();
        }
        err.println("migrator: unexpected error: " + e + (debug ? "" : " (run with --debug for details)"));
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return ErrorCode.FAILED.exitCode();
    }

    private static MigratorException find(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MigratorException m) {
                return m;
            }
        }
        return null;
    }

    /** Version from the jar manifest, plus the installed providers. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"migrator " + (v == null ? "(development build)" : v),
                "providers: " + String.join(", ", Stores.factories().keySet())};
        }
    }
}
