package dev.migrator.provider.mysql;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * Copies a mysqldump/mariadb-dump stream, removing {@code DEFINER=`user`@`host`} clauses: views,
 * triggers, routines and events then belong to whoever restores them, as {@code pg_restore --no-owner}
 * does for PostgreSQL. Without this a restore on a new host fails unless that exact account exists
 * (or the restoring user may set any definer).
 *
 * <p>Only statement lines that are not row data are examined: {@code INSERT} lines (almost all of the
 * bytes, possibly megabytes long) are passed through untouched. Lines are handled as bytes in
 * ISO-8859-1, so every byte survives whatever the dump's character set.
 */
final class DefinerFilter {
    private static final Pattern DEFINER = Pattern.compile("DEFINER=`(?:[^`]|``)*`@`(?:[^`]|``)*`\\s?");
    private static final byte[] INSERT = "INSERT ".getBytes(StandardCharsets.US_ASCII);

    private DefinerFilter() {
    }

    /** Copies {@code in} to {@code out} without definers; returns the bytes read. Closes neither. */
    static long copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 16];
        byte[] line = new byte[1 << 12];
        int lineLen = 0;
        boolean passThrough = false; // inside a row-data line: copy as is until its newline
        boolean lineStart = true;
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            int i = 0;
            while (i < n) {
                if (passThrough) {
                    int nl = indexOf(buf, i, n);
                    int end = nl < 0 ? n : nl + 1;
                    out.write(buf, i, end - i);
                    i = end;
                    if (nl >= 0) {
                        passThrough = false;
                        lineStart = true;
                    }
                    continue;
                }
                byte b = buf[i++];
                if (lineLen == line.length) {
                    line = Arrays.copyOf(line, line.length * 2);
                }
                line[lineLen++] = b;
                if (lineStart && lineLen == INSERT.length && Arrays.equals(line, 0, lineLen, INSERT, 0, lineLen)) {
                    out.write(line, 0, lineLen);
                    lineLen = 0;
                    passThrough = true;
                    lineStart = false;
                } else if (lineStart && lineLen <= INSERT.length && line[lineLen - 1] != INSERT[lineLen - 1]) {
                    lineStart = false;
                }
                if (b == '\n') {
                    writeFiltered(line, lineLen, out);
                    lineLen = 0;
                    lineStart = true;
                }
            }
        }
        writeFiltered(line, lineLen, out);
        out.flush();
        return total;
    }

    private static void writeFiltered(byte[] line, int len, OutputStream out) throws IOException {
        if (len == 0) {
            return;
        }
        String text = new String(line, 0, len, StandardCharsets.ISO_8859_1);
        if (text.contains("DEFINER=")) {
            out.write(DEFINER.matcher(text).replaceAll("").getBytes(StandardCharsets.ISO_8859_1));
        } else {
            out.write(line, 0, len);
        }
    }

    private static int indexOf(byte[] buf, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
