package dev.migrator.provider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/** What the database adapters do alike around their dump and restore tools. */
public final class DatabaseTools {
    private DatabaseTools() {
    }

    /** Refuses a dump directory that holds anything ({@link ErrorCode#BAD_INPUT}): a dump is written into an empty one. */
    public static void requireEmpty(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            if (files.findAny().isPresent()) {
                throw MigratorException.badInput("dump directory " + dir + " is not empty");
            }
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot read dump directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** What {@code exe --version} prints (stripped); a missing tool is bad input naming {@code install}. */
    public static String versionOutput(String exe, String install) {
        ProcessBuilder b = new ProcessBuilder(exe, "--version").redirectOutput(ProcessBuilder.Redirect.PIPE);
        try (ToolProcess p = ToolProcess.start(b, Map.of(), install)) {
            String out = new String(p.processes().get(0).getInputStream().readAllBytes()).strip();
            p.await();
            return out;
        } catch (IOException e) {
            throw new MigratorException(ErrorCode.FAILED, "cannot run " + exe + " --version: " + e.getMessage(), e);
        }
    }

    /** The end of what a failing tool said, at most 600 characters: the cause is in its last lines. */
    public static String tail(String said) {
        return said.length() > 600 ? "..." + said.substring(said.length() - 600) : said;
    }
}
