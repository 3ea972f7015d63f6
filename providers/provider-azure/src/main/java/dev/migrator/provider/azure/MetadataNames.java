package dev.migrator.provider.azure;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Azure metadata names must be C# identifiers (letters, digits and {@code _}, not starting with a digit) and
 * are case-insensitive; S3 and GCS names may hold any character ({@code owner-id}, {@code x.y}). This maps a
 * user-metadata name reversibly onto an Azure name, so that nothing is dropped and a round trip gives the
 * same name back:
 * <ul>
 *   <li>a name that already is an identifier and does not start with {@link #MARKER} is kept as it is, so
 *       names written by other Azure tools read back unchanged;</li>
 *   <li>any other name becomes {@code MARKER} followed by its UTF-8 bytes with letters and digits kept and
 *       every other byte (including {@code _}) written as {@code _} and two lower-case hex digits: e.g.
 *       {@code owner-id} is stored as {@code migx_owner_2did}.</li>
 * </ul>
 * Names are lower-case (as {@code ObjectMetadata} keeps them) and the escape uses lower-case hex, so
 * Azure's case-insensitivity cannot merge two names. Values are {@link AzureMetadata}'s.
 */
final class MetadataNames {
    /** Starts every escaped name; a native name starting with it is escaped too, which keeps the map reversible. */
    static final String MARKER = "migx_";
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private MetadataNames() {
    }

    static String toAzure(String name) {
        if (IDENTIFIER.matcher(name).matches() && !name.toLowerCase(Locale.ROOT).startsWith(MARKER)) {
            return name;
        }
        StringBuilder out = new StringBuilder(MARKER);
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                out.append((char) c);
            } else {
                out.append('_').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            }
        }
        return out.toString();
    }

    /** The inverse of {@link #toAzure}; a name with the marker that is not a valid escape is kept as stored. */
    static String fromAzure(String stored) {
        String lower = stored.toLowerCase(Locale.ROOT);
        if (!lower.startsWith(MARKER)) {
            return stored;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = MARKER.length(); i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (c == '_') {
                if (i + 2 >= lower.length()) {
                    return stored;
                }
                int hi = Character.digit(lower.charAt(i + 1), 16);
                int lo = Character.digit(lower.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return stored;
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
