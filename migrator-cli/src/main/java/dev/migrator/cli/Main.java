package dev.migrator.cli;

import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Stores;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code migrator} command. */
@Command(name = "migrator",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Leave a cloud provider in a hurry: plan, copy, verify, bundle and rehearse an exit of object stores and databases.",
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0    done, everything verified",
            "  1    failed",
            "  2    bad usage or input (unknown scheme, missing bucket, bad credentials)",
            "  3    verify found differences",
            "  4    partial: some objects failed, the rest were done",
            "  130  interrupted; run the same command again to resume"})
public final class Main {
    /**
     * The subcommands, in the order the help lists them. Added in code rather than in {@code @Command}, so a run
     * can build the picocli model of only the command it runs ({@link #commandLine(String...)}).
     */
    private static final List<Class<?>> SUBCOMMANDS = List.of(CopyCommand.class, VerifyCommand.class, BundleCommand.class,
            PlanCommand.class, RunCommand.class, StatusCommand.class, WorkerCommand.class, K8sJobCommand.class, DrillCommand.class,
            DbCommand.class, PreflightCommand.class, ProbeCommand.class, DemoCommand.class, ServeS3Command.class,
            InventoryCommand.class, // buckets
            CommandLine.HelpCommand.class);

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
        // over TLS, handshake) a new connection. 1024, as S3HttpClients' pool: --transfers 256 with parts in
        // flight must keep their connections too (64 made every request beyond it reconnect).
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", "1024");
        }
        Warmup.start(args);
        EventLog.reset();
        debug = false; // picocli takes a static option's value at model building as its default: start each run off
        for (String a : args) {
            if (a.equals("--debug")) {
                System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
            }
        }
        CommandLine cli = commandLine(args);
        for (String name : new String[] {"copy", "verify"}) {
            CommandLine sub = cli.getSubcommands().get(name);
            if (sub != null) {
                // Rendered only when the help is: listing the locations makes every provider's usage text.
                Map<String, CommandLine.IHelpSectionRenderer> sections = sub.getHelpSectionMap();
                sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER_HEADING, help -> help.createHeading("%nLocations:%n"));
                sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, help -> {
                    help.commandSpec().usageMessage().footer(locationHelp());
                    return help.footer();
                });
            }
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

    /** The whole command tree: every subcommand's model, for the top help, {@code help}, and the man page. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        SUBCOMMANDS.forEach(c -> cli.addSubcommand(c));
        return cli;
    }

    /**
     * The tree {@code args} need. Building picocli's model of all 15 commands (reflection over every option) is a
     * large share of a short command's start-up; when the first word names a command (no top-level
     * option takes a value, so it is the first word not starting with '-'), only that command is built, and
     * it parses and reports exactly as in the whole tree. Anything else ({@code --help}, {@code help copy}, a
     * misspelt command, whose error lists the commands) gets the whole tree, and so does {@code demo}, which runs
     * other commands on the tree it runs in.
     */
    static CommandLine commandLine(String... args) {
        String first = Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("");
        List<String> all = Arrays.asList(args);
        if ((all.contains("-V") || all.contains("--version")) && List.of("-V", "--version", "--debug").containsAll(all)) {
            return new CommandLine(new Main()); // the version names no command
        }
        for (Class<?> c : SUBCOMMANDS) {
            Command command = c.getAnnotation(Command.class);
            if (c != CommandLine.HelpCommand.class && c != DemoCommand.class && command.name().equals(first) && command.aliases().length == 0) {
                CommandLine cli = new CommandLine(new Main());
                cli.addSubcommand(c);
                return cli;
            }
        }
        return commandLine();
    }

    /** The URI forms of every installed provider, for help texts. */
    private static String[] locationHelp() {
        return Stores.usage().stream().map(u -> "  " + u.replace("%", "%%")).toArray(String[]::new);
    }

    /** One clear line for a person; the stack trace only with --debug. */
    static int report(PrintWriter err, Throwable e) {
        MigratorException m = find(e);
        if (EventLog.json()) {
            int code = m != null ? m.code().exitCode() : ErrorCode.FAILED.exitCode();
            String message = m != null ? m.getMessage() : "unexpected error: " + e;
            err.flush();
            EventLog.event(System.err, "error", java.util.Map.of("message", message, "exitCode", code));
            if (debug) {
                e.printStackTrace(err);
                err.flush();
            }
            return code;
        }
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

    /**
     * Start-up work a run will need, begun on the second core while picocli builds and parses the command line.
     * One piece so far: the JDK's TLS set-up (cipher suites, curves, the secure random), which an object store's
     * client does as it is built, even for an http endpoint (the S3 SDK's HTTP client makes its SSLContext up
     * front): about a fifth of a one-object S3 copy's main-thread time. Started only for the commands whose stores
     * open through {@link StoreArgs#open(String, dev.migrator.provider.StoreOptions)}, which waits for it first
     * ({@link #await()}): so the JDK's security classes are never initialised by two threads at once. Best effort:
     * a failure here is left for the real path to meet and report.
     */
    static final class Warmup {
        private static final List<String> COMMANDS = List.of("copy", "verify", "bundle");
        private static final List<String> REMOTE = List.of("s3://", "gs://", "az://");
        private static Thread thread;

        private Warmup() {
        }

        /** Starts the warm-up when {@code args} run a store command on a remote object store. */
        static synchronized void start(String... args) {
            String first = Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("");
            boolean remote = Arrays.stream(args).map(a -> a.toLowerCase(Locale.ROOT)).anyMatch(a -> REMOTE.stream().anyMatch(a::startsWith));
            if (thread != null || !COMMANDS.contains(first) || !remote) {
                return;
            }
            thread = new Thread(Warmup::tls, "warm-up");
            thread.setDaemon(true);
            thread.start();
        }

        private static void tls() {
            try {
                SSLContext.getInstance("TLS").init(null, new TrustManager[0], null);
            } catch (Exception | LinkageError e) {
                // e.g. a JDK without TLS: the store's client meets the same and reports it
            }
        }

        /** Waits until the warm-up, if one was started, is done (it takes well under a second; bounded anyway). */
        static void await() {
            Thread t;
            synchronized (Warmup.class) {
                t = thread;
                thread = null;
            }
            if (t == null) {
                return;
            }
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The version and git commit the build wrote into version.properties, plus the installed providers. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // an unreadable resource: the version is unknown, which the lines below say
            }
            String commit = known(p.getProperty("commit"));
            String dirty = "true".equals(p.getProperty("dirty")) ? " (with uncommitted changes)" : "";
            return new String[] {"migrator " + known(p.getProperty("version")) + ", commit " + commit + (commit.equals("unknown") ? "" : dirty),
                "providers: " + String.join(", ", Stores.factories().keySet()),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.home") + ")"};
        }

        /** A value the build did not fill in (no .git in a source tarball) stays a ${placeholder}: "unknown". */
        private static String known(String v) {
            return v == null || v.isBlank() || v.startsWith("${") ? "unknown" : v;
        }
    }
}
