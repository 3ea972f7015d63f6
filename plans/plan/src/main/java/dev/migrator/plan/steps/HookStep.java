package dev.migrator.plan.steps;

import dev.migrator.plan.executor.StepContext;
import dev.migrator.plan.executor.StepResult;
import dev.migrator.plan.model.Hook;
import dev.migrator.plan.planner.HookParams;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a hook's shell command ({@code sh -c}) with its timeout. Output goes to {@code hook.log} in the
 * step's directory; the last lines are in the error. Environment: {@code MIGRATOR_PLAN}, {@code MIGRATOR_STEP}
 * and {@code MIGRATOR_DRILL=1} in a drill.
 */
final class HookStep {
    private HookStep() {
    }

    static StepResult run(StepContext ctx, HookParams params) throws IOException, InterruptedException {
        String name = params.hook();
        Hook hook = ctx.plan().hooks().stream().filter(h -> h.name().equals(name)).findFirst()
                .orElseThrow(() -> MigratorException.badInput("step " + ctx.step().id() + ": no hook '" + name + "' in the plan"));
        Files.createDirectories(ctx.workDir());
        Path log = ctx.workDir().resolve("hook.log");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", hook.command()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Path planDir = ctx.plan().file().toAbsolutePath().getParent();
        if (planDir != null) {
            pb.directory(planDir.toFile());
        }
        pb.environment().put("MIGRATOR_PLAN", ctx.plan().file().toAbsolutePath().toString());
        pb.environment().put("MIGRATOR_STEP", ctx.step().id());
        if (ctx.drill()) {
            pb.environment().put("MIGRATOR_DRILL", "1");
        }
        Process p = pb.start();
        ctx.onCancel(() -> p.descendants().forEach(ProcessHandle::destroy));
        ctx.onCancel(p::destroy);
        if (!p.waitFor(hook.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new MigratorException(ErrorCode.FAILED, "hook '" + name + "' (" + hook.pos() + ") did not finish within "
                    + hook.timeout().toSeconds() + " s; killed. Output: " + tail(log));
        }
        if (ctx.cancelled()) {
            throw new MigratorException(ErrorCode.INTERRUPTED, "cancelled");
        }
        if (p.exitValue() != 0) {
            throw new MigratorException(ErrorCode.FAILED, "hook '" + name + "' (" + hook.pos() + ") exited with " + p.exitValue()
                    + ": " + tail(log));
        }
        return StepResult.of("exit 0" + (Files.size(log) > 0 ? ": " + tail(log) : ""));
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        String t = String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())).strip();
        return t.isEmpty() ? "(no output)" : t.length() > 300 ? "..." + t.substring(t.length() - 300) : t;
    }
}
