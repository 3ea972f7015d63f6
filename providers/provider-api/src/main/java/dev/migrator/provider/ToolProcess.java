package dev.migrator.provider;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * An external tool (pg_dump, mariadb, ...) run as a child process, or a pipeline of them connected by
 * operating-system pipes (no bytes pass through the JVM).
 *
 * <p>Contract: each process's stderr is drained continuously (a full pipe would block the tool) and
 * its last lines are kept for {@link #stderr}. Arguments must never hold secrets (any user sees them in
 * {@code ps}): pass them in the child's environment ({@code env}), which only its owner can read and which
 * is gone with the process; never in a file, which a kill -9 of migrator would leave behind. {@link #close} and an interrupted {@link #await} kill every
 * process of the pipeline with its descendants (pg_dump -j forks workers); so does JVM shutdown
 * (Ctrl-C), so no tool outlives migrator.
 */
public final class ToolProcess implements AutoCloseable {
    private static final int TAIL_LINES = 20;
    private static final Pattern BROKEN_PIPE =
            Pattern.compile("(?i)broken pipe|errno:? 32\\b|EPIPE");
    private static final Set<ToolProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ToolProcess::kill), "kill-tools"));
    }

    private final List<String> names;
    private final List<Process> processes;
    private final List<Deque<String>> tails = new ArrayList<>();
    private final List<Thread> drains = new ArrayList<>();

    private ToolProcess(List<String> names, List<Process> processes) {
        this.names = names;
        this.processes = processes;
        for (int i = 0; i < processes.size(); i++) {
            Deque<String> tail = new ArrayDeque<>();
            tails.add(tail);
            Process p = processes.get(i);
            Thread t = new Thread(() -> drain(p, tail), "stderr-" + names.get(i));
            t.setDaemon(true);
            t.start();
            drains.add(t);
        }
        LIVE.add(this);
    }

    /**
     * Starts one tool. {@code command.get(0)} is the executable; {@code env} is added to the inherited
     * environment (a {@code null} value removes a variable). A missing executable is
     * {@link ErrorCode#BAD_INPUT} naming the tool and {@code install}, what to install.
     */
    public static ToolProcess start(ProcessBuilder builder, Map<String, String> env, String install) {
        return pipeline(List.of(builder), env, install);
    }

    /** Starts {@code builders} with each one's stdout piped into the next one's stdin. */
    public static ToolProcess pipeline(List<ProcessBuilder> builders, Map<String, String> env, String install) {
        List<String> names = new ArrayList<>();
        for (ProcessBuilder b : builders) {
            names.add(baseName(b.command().get(0)));
            b.redirectError(ProcessBuilder.Redirect.PIPE);
            env.forEach((k, v) -> {
                if (v == null) {
                    b.environment().remove(k);
                } else {
                    b.environment().put(k, v);
                }
            });
        }
        try {
            List<Process> started = builders.size() == 1 ? List.of(builders.get(0).start())
                    : ProcessBuilder.startPipeline(builders);
            return new ToolProcess(names, started);
        } catch (IOException e) {
            String which = names.size() == 1 ? names.get(0) : String.join(" | ", names);
            throw MigratorException.badInput("cannot run " + which + ": " + e.getMessage()
                    + "; install " + install + " and make sure it is on the PATH");
        }
    }

    private static String baseName(String executable) {
        int slash = executable.lastIndexOf('/');
        return slash < 0 ? executable : executable.substring(slash + 1);
    }

    /** The processes, first to last (e.g. to write to the first one's stdin). */
    public List<Process> processes() {
        return processes;
    }

    /**
     * Waits for every process and returns their exit codes, first to last. Interruption kills them
     * and throws {@link ErrorCode#INTERRUPTED}.
     */
    public int[] await() {
        int[] codes = new int[processes.size()];
        try {
            for (int i = 0; i < processes.size(); i++) {
                codes[i] = processes.get(i).waitFor();
            }
            for (Thread t : drains) {
                t.join(5_000);
            }
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
            throw new MigratorException(ErrorCode.INTERRUPTED, String.join(" | ", names) + " interrupted");
        } finally {
            LIVE.remove(this);
        }
        return codes;
    }

    /** The last lines the {@code i}-th tool wrote to stderr, joined with "; " (one line for a message). */
    public String stderr(int i) {
        Deque<String> tail = tails.get(i);
        synchronized (tail) {
            return String.join("; ", tail);
        }
    }

    /**
     * Which tool's failure explains the run, given the codes {@link #await} returned: -1 when all are 0.
     * In a pipeline a tool dies of a broken pipe when the tool it writes to exits (pg_restore stops at an
     * error; pg_dump is then killed by SIGPIPE, with nothing on stderr). That failure is a consequence,
     * so a failing tool whose reader also failed and which itself only saw a broken pipe is passed over:
     * the cause is the first failing tool that is not such a victim.
     */
    public int culprit(int[] codes) {
        int last = -1;
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] == 0) {
                continue;
            }
            boolean readerFailed = false;
            for (int j = i + 1; j < codes.length; j++) {
                readerFailed |= codes[j] != 0;
            }
            if (!(readerFailed && brokenPipe(codes[i], stderr(i)))) {
                return i;
            }
            last = i;
        }
        return last;
    }

    /**
     * Whether a tool's failure is only that its reader went away: killed by SIGPIPE (exit 128 + 13, as
     * Java reports a signal) or saying so on stderr (pg_dump "Broken pipe", mariadb-dump "errno 32").
     */
    public static boolean brokenPipe(int code, String stderr) {
        return code == 128 + 13 || BROKEN_PIPE.matcher(stderr).find();
    }

    /**
     * What the {@code i}-th tool said, for a failure message: its stderr tail, or, when it wrote nothing,
     * its exit status or the signal that killed it (never an empty "no message").
     */
    public String describe(int i, int code) {
        String said = stderr(i);
        if (!said.isBlank()) {
            return said;
        }
        return code > 128 ? "no message; killed by signal " + (code - 128) : "no message; exit status " + code;
    }

    /** The name of the {@code i}-th tool. */
    public String name(int i) {
        return names.get(i);
    }

    /** Kills every process of the pipeline and their descendants. */
    public void kill() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Override
    public void close() {
        if (processes.stream().anyMatch(Process::isAlive)) {
            kill();
        }
        LIVE.remove(this);
    }

    private static void drain(Process p, Deque<String> tail) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                synchronized (tail) {
                    if (tail.size() == TAIL_LINES) {
                        tail.removeFirst();
                    }
                    tail.addLast(line.strip());
                }
            }
        } catch (IOException e) {
            // the process went away; what was read is what we report
        }
    }
}
