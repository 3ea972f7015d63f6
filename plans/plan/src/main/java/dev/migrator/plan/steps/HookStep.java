package dev.migrator.plan.steps;

import dev.migrator.plan.executor.StepContext;
import dev.migrator.plan.executor.StepResult;
import dev.migrator.plan.model.Hook;
import dev.migrator.plan.planner.HookParams;
import dev.migrator.plan.planner.TtlParams;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
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
        Hook hook = hook(ctx, params.hook());
        return command(ctx, hook, hook.name(), hook.command());
    }

    /**
     * Runs a DNS switch hook's {@code lower-ttl} command, then records when it finished (in the state directory, so
     * a resumed run or a later {@code --phase cutover} knows): the old TTL counts from then.
     */
    static StepResult lowerTtl(StepContext ctx, TtlParams params) throws IOException, InterruptedException {
        Hook hook = hook(ctx, params.hook());
        StepResult r = command(ctx, hook, hook.name() + " (lower-ttl)", hook.lowerTtl());
        Path marker = loweredMarker(ctx, hook.name());
        Files.createDirectories(marker.getParent());
        Path tmp = marker.resolveSibling(marker.getFileName() + ".tmp");
        Files.writeString(tmp, Instant.now().toString() + "\n");
        Files.move(tmp, marker, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return r;
    }

    /** Waits until the hook's old TTL has passed since {@link #lowerTtl} finished; cancellable. */
    static StepResult ttlWait(StepContext ctx, TtlParams params) throws IOException, InterruptedException {
        Path marker = loweredMarker(ctx, params.hook());
        if (!Files.exists(marker)) {
            throw new MigratorException(ErrorCode.FAILED, "the switch hook '" + params.hook() + "' cannot run yet: its DNS TTL was "
                    + "never lowered (step presync/hook/" + params.hook() + "/lower-ttl has not run); run the pre-copy phase first");
        }
        Instant expires = Instant.parse(Files.readString(marker).strip()).plusSeconds(params.ttlSeconds());
        long waited = 0;
        while (Instant.now().isBefore(expires)) {
            if (ctx.cancelled()) {
                throw new MigratorException(ErrorCode.INTERRUPTED, "cancelled");
            }
            long ms = Math.min(500, Duration.between(Instant.now(), expires).toMillis() + 1);
            Thread.sleep(ms);
            waited += ms;
        }
        return StepResult.of(waited > 0 ? "waited " + Math.round(waited / 1000.0) + " s for the old DNS TTL to expire"
                : "the old DNS TTL had expired");
    }

    private static Path loweredMarker(StepContext ctx, String hook) {
        return ctx.stateDir().resolve("ttl").resolve(hook + ".lowered");
    }

    private static Hook hook(StepContext ctx, String name) {
        return ctx.plan().hooks().stream().filter(h -> h.name().equals(name)).findFirst()
                .orElseThrow(() -> MigratorException.badInput("step " + ctx.step().id() + ": no hook '" + name + "' in the plan"));
    }

    private static StepResult command(StepContext ctx, Hook hook, String name, String command) throws IOException, InterruptedException {
        Files.createDirectories(ctx.workDir());
        Path log = ctx.workDir().resolve("hook.log");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
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
