package dev.migrator.provider;

import java.util.regex.Pattern;

/**
 * Removes secrets from anything shown to a person or written to a file: the password of a
 * {@code user:password@} authority and the values of query parameters that carry secrets.
 */
public final class Redaction {
    private static final Pattern USERINFO_PASSWORD = Pattern.compile("(//[^/@:?#]*):[^/@?#]*@");
    private static final Pattern SECRET_PARAM = Pattern.compile(
            "(?i)([?&](?:password|secret|secret[-_]?key|secret[-_]?access[-_]?key|session[-_]?token|token|access[-_]?key|key|sig|signature|x-amz-signature|x-amz-credential|private[-_]?key)=)[^&#]*");

    private Redaction() {
    }

    public static String uri(String uri) {
        if (uri == null) {
            return null;
        }
        String out = USERINFO_PASSWORD.matcher(uri).replaceAll("$1:***@");
        return SECRET_PARAM.matcher(out).replaceAll("$1***");
    }
}
