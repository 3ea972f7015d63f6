package dev.migrator.testkit.gcs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Splits a {@code multipart/related} upload body into its metadata part and its media part. */
final class Multipart {
    private Multipart() {
    }

    record Part(String contentType, byte[] body) {
    }

    static Part[] parse(String contentType, byte[] body) {
        String boundary = boundary(contentType);
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<Part> parts = new ArrayList<>();
        int at = indexOf(body, delimiter, 0);
        while (at >= 0) {
            int start = at + delimiter.length;
            if (start + 1 < body.length && body[start] == '-' && body[start + 1] == '-') {
                break; // the closing delimiter
            }
            start = skipCrlf(body, start);
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), start);
            int next = indexOf(body, ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1), start);
            if (headersEnd < 0 || next < 0) {
                throw bad("truncated part");
            }
            String headers;
            int contentStart;
            if (headersEnd > next) { // a part without headers
                headers = "";
                contentStart = start;
            } else {
                headers = new String(body, start, headersEnd - start, StandardCharsets.ISO_8859_1);
                contentStart = headersEnd + 4;
            }
            byte[] content = java.util.Arrays.copyOfRange(body, Math.min(contentStart, next), next);
            parts.add(new Part(header(headers, "content-type"), content));
            at = next + 2;
        }
        if (parts.size() != 2) {
            throw bad("expected a metadata part and a media part, got " + parts.size() + " parts");
        }
        return parts.toArray(new Part[0]);
    }

    private static String boundary(String contentType) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/related")) {
            throw bad("Content-Type must be multipart/related, got " + contentType);
        }
        for (String p : contentType.split(";")) {
            String t = p.trim();
            if (t.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String b = t.substring("boundary=".length());
                return b.startsWith("\"") && b.endsWith("\"") ? b.substring(1, b.length() - 1) : b;
            }
        }
        throw bad("no boundary in " + contentType);
    }

    private static String header(String headers, String name) {
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    private static int skipCrlf(byte[] b, int i) {
        return i + 1 < b.length && b[i] == '\r' && b[i + 1] == '\n' ? i + 2 : i;
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static GcsTestServer.GcsError bad(String what) {
        return new GcsTestServer.GcsError(400, "invalid", "bad multipart upload: " + what);
    }
}
