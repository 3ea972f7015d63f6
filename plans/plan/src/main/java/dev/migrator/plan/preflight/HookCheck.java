package dev.migrator.plan.preflight;

import dev.migrator.plan.model.Hook;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Each hook the run will execute: its command parses as {@code sh} syntax ({@code sh -n}, nothing is run) and
 * the program it starts with exists and is executable ({@code command -v}, which knows builtins, functions
 * of the shell and the PATH). A hook that would fail at the freeze is found before the pre-copy.
 */
final class HookCheck implements Check {
    @Override
    public String name() {
        return "hooks";
    }

    @Override
    public void run(PreflightContext ctx, Consumer<Finding> out) {
        for (Hook h : ctx.plan().hooks()) {
            String subject = "hook " + h.name();
            Result syntax = sh(List.of("sh", "-n", "-c", h.command()));
            if (syntax.code != 0) {
                out.accept(new Finding(name(), subject, Status.FAIL, "'" + h.command() + "' is not valid sh: " + syntax.said
                        + "; fix the hook's 'run' at " + h.pos()));
                continue;
            }
            String program = program(h.command());
            if (program == null) {
                out.accept(new Finding(name(), subject, Status.OK, "valid sh (the program it runs is not checked: it starts with a "
                        + "compound command)"));
                continue;
            }
            Result found = sh(List.of("sh", "-c", "command -v -- \"$1\"", "sh", program));
            if (found.code != 0 || found.said.isEmpty()) {
                out.accept(new Finding(name(), subject, Status.FAIL, "'" + program + "' is not an executable program on the PATH"
                        + " (hooks run with sh -c); install it, make it executable (chmod +x) or give its full path at " + h.pos()));
            } else {
                out.accept(new Finding(name(), subject, Status.OK, "valid sh; runs " + found.said));
            }
        }
    }

    /** The first word of the first simple command (after VAR=value assignments), or null for a compound start. */
    static String program(String command) {
        for (String word : command.strip().split("\\s+")) {
            if (word.matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
                continue;
            }
            if (word.isEmpty() || !word.matches("[A-Za-z0-9_./+@%:,-]+")) {
                return null; // quoting, expansions, brackets: leave it to the shell
            }
            return word;
        }
        return null;
    }

    private record Result(int code, String said) {
    }

    private static Result sh(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "no answer from sh within 10 s");
            }
            return new Result(p.exitValue(), said.replace('\n', ' '));
        } catch (IOException e) {
            return new Result(-1, "cannot run sh (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
