package dev.migrator.testkit.gcs;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** HTTP plumbing for {@link GcsTestServer}: decoding, ranges, responses in the JSON API's shape. */
final class Http {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (?:(\\d+)-(\\d+)|\\*)/(\\d+|\\*)");

    private Http() {
    }

    /** The first {@code first}..{@code last} bytes of a chunk ({@code -1} when none) and the total ({@code -1}: unknown). */
    record ContentRange(long first, long last, long total) {
    }

    static Map<String, String> query(String rawQuery) {
        Map<String, String> q = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return q;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            // Query strings are form-encoded on GCS: '+' is a space.
            q.put(percentDecode(k.replace('+', ' ')), percentDecode(v.replace('+', ' ')));
        }
        return q;
    }

    /** Decodes {@code %XX} escapes as UTF-8 and nothing else ({@code +} stays {@code +}, as in a path). */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    b = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Percent-encodes everything but RFC 3986 unreserved characters. */
    static String percentEncode(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c));
            }
        }
        return b.toString();
    }

    /** A {@code Range} header as inclusive {@code [from, to]}, or {@code null} when it does not apply. */
    static long[] parseRange(String header, long size) {
        Matcher m = RANGE.matcher(header.trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return null;
        }
        if (m.group(1).isEmpty()) {
            long suffix = Long.parseLong(m.group(2));
            return new long[] {Math.max(0, size - suffix), size - 1};
        }
        long from = Long.parseLong(m.group(1));
        long to = m.group(2).isEmpty() ? Long.MAX_VALUE : Long.parseLong(m.group(2));
        if (to < from) {
            return null;
        }
        if (size == 0 && from == 0) {
            return null; // a range over an empty object is served whole (and empty)
        }
        return new long[] {from, to};
    }

    static ContentRange parseContentRange(String header, int bodyLength) {
        Matcher m = header == null ? null : CONTENT_RANGE.matcher(header.trim());
        if (m == null || !m.matches()) {
            throw new GcsTestServer.GcsError(400, "invalid", "Invalid Content-Range header: " + header);
        }
        long total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
        if (m.group(1) == null) {
            if (bodyLength != 0) {
                throw new GcsTestServer.GcsError(400, "invalid", "Content-Range " + header + " with a body");
            }
            return new ContentRange(-1, -1, total);
        }
        long first = Long.parseLong(m.group(1));
        long last = Long.parseLong(m.group(2));
        if (last - first + 1 != bodyLength) {
            throw new GcsTestServer.GcsError(400, "invalid", "Content-Range " + header + " does not match the "
                    + bodyLength + " bytes sent");
        }
        return new ContentRange(first, last, total);
    }

    static void send(HttpExchange ex, int status, Map<String, String> headers, byte[] body) throws IOException {
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        if (body == null || body.length == 0) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    static void sendJson(HttpExchange ex, int status, Map<String, Object> json) throws IOException {
        send(ex, status, Map.of("Content-Type", "application/json; charset=UTF-8"),
                Json.write(json).getBytes(StandardCharsets.UTF_8));
    }

    static void sendError(HttpExchange ex, int status, String reason, String message) throws IOException {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("message", message);
        detail.put("domain", "global");
        detail.put("reason", reason);
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", status);
        error.put("message", message);
        error.put("errors", List.of(detail));
        sendJson(ex, status, Map.of("error", error));
    }
}
