package dev.migrator.provider;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Removes secrets from anything shown to a person or written to a file: the password of a
 * {@code user:password@} authority and the values of query parameters that carry secrets, which each
 * provider declares ({@link ProviderFactory#secretParameters}); a built-in list of common secret names
 * is kept as a fallback for URIs no installed provider knows (an endpoint, a URL in an error). Also reads a
 * secret from a file ({@code password-file=}), so that it need not be on the command line, where
 * {@code ps} shows it to every user of the machine.
 */
public final class Redaction {
    private static final Pattern USERINFO_PASSWORD = Pattern.compile("(//[^/@:?#]*):[^/@?#]*@");
    /** The fallback: names that are secrets in any provider's URI. */
    private static final Pattern SECRET_PARAM = Pattern.compile(
            "(?i)([?&](?:password|password[-_]?file|secret|secret[-_]?key|secret[-_]?access[-_]?key|session[-_]?token|token|access[-_]?key|key|sig|signature|x-amz-signature|x-amz-credential|private[-_]?key)=)[^&#]*");

    private Redaction() {
    }

    public static String uri(String uri) {
        if (uri == null) {
            return null;
        }
        String out = USERINFO_PASSWORD.matcher(uri).replaceAll("$1:***@");
        out = declared().matcher(out).replaceAll("$1***");
        return SECRET_PARAM.matcher(out).replaceAll("$1***");
    }

    private static volatile Pattern declared;

    /** The installed providers' declared secret parameters as one pattern, built on first use. */
    private static Pattern declared() {
        Pattern p = declared;
        if (p == null) {
            Set<String> names = Stores.secretParameters();
            String alternatives = names.stream().map(Pattern::quote).collect(Collectors.joining("|"));
            // Matches nothing when no provider declares any (an empty alternative would match every parameter).
            p = Pattern.compile(names.isEmpty() ? "(?!)()" : "(?i)([?&](?:" + alternatives + ")=)[^&#]*");
            if (!names.isEmpty()) {
                declared = p; // while the providers load, the set may still be empty: ask again later
            }
        }
        return p;
    }

    /**
     * The first line of {@code file} (without its line end), for the URI parameter {@code param} of
     * {@code shownUri} (already redacted). A missing, unreadable or empty file is
     * {@link ErrorCode#BAD_INPUT} naming the parameter and the file; the secret itself is never in a message.
     */
    public static String secretFromFile(String param, String file, String shownUri) {
        String where = param + "=" + file + " (in " + shownUri + ")";
        String content;
        try {
            content = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw MigratorException.badInput("cannot read " + where + ": no such file; put the secret on its first line");
        } catch (AccessDeniedException e) {
            throw MigratorException.badInput("cannot read " + where + ": permission denied");
        } catch (IOException | RuntimeException e) { // e.g. a directory, bytes that are not UTF-8, a bad path
            throw MigratorException.badInput("cannot read " + where + ": not a readable UTF-8 text file");
        }
        String first = content.lines().findFirst().orElse("");
        if (first.isEmpty()) {
            throw MigratorException.badInput(where + " is empty; put the secret on its first line");
        }
        return first;
    }
}
