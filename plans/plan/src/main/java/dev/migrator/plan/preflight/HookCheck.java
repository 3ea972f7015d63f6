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
        // Hooks run in the plan file's folder (HookStep), so a relative program (./switch-dns) is looked up from there.
        java.nio.file.Path planDir = ctx.plan().file().toAbsolutePath().getParent();
        java.io.File where = planDir == null ? null : planDir.toFile();
        for (Hook h : ctx.plan().hooks()) {
            out.accept(check("hook " + h.name(), h.command(), "run", h, where));
            if (h.lowerTtl() != null) {
                out.accept(check("hook " + h.name() + " lower-ttl", h.lowerTtl(), "lower-ttl", h, where));
            }
        }
    }

    private Finding check(String subject, String command, String key, Hook h, java.io.File where) {
        Result syntax = sh(List.of("sh", "-n", "-c", command));
        if (syntax.code != 0) {
            return new Finding(name(), subject, Status.FAIL, "'" + command + "' is not valid sh: " + syntax.said
                    + "; fix the hook's '" + key + "' at " + h.pos());
        }
        String program = program(command);
        if (program == null) {
            return new Finding(name(), subject, Status.OK, "valid sh (the program it runs is not checked: it starts with a "
                    + "compound command)");
        }
        Result found = sh(List.of("sh", "-c", "command -v -- \"$1\"", "sh", program), where);
        if (found.code != 0 || found.said.isEmpty()) {
            return new Finding(name(), subject, Status.FAIL, "'" + program + "' is not an executable program on the PATH"
                    + " (hooks run with sh -c in the plan's folder); install it, make it executable (chmod +x) or give its full path at "
                    + h.pos());
        }
        return new Finding(name(), subject, Status.OK, "valid sh; runs " + found.said);
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
        return sh(cmd, null);
    }

    private static Result sh(List<String> cmd, java.io.File dir) {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir != null && dir.isDirectory() ? dir : null).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
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
