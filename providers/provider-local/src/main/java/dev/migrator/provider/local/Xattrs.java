package dev.migrator.provider.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads and writes {@code user.*} extended attributes, where object metadata lives on disk. */
final class Xattrs {
    private Xattrs() {
    }

    static UserDefinedFileAttributeView view(Path p) {
        return Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
    }

    /** All attributes of {@code p} whose name starts with {@code prefix}, without the prefix. */
    static Map<String, String> read(Path p, String prefix) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        UserDefinedFileAttributeView view = view(p);
        if (view == null) {
            return out;
        }
        for (String name : view.list()) {
            if (name.startsWith(prefix)) {
                ByteBuffer buf = ByteBuffer.allocate(view.size(name));
                view.read(name, buf);
                buf.flip();
                out.put(name.substring(prefix.length()), StandardCharsets.UTF_8.decode(buf).toString());
            }
        }
        return out;
    }

    static String get(Path p, String name) throws IOException {
        UserDefinedFileAttributeView view = view(p);
        if (view == null || !view.list().contains(name)) {
            return null;
        }
        ByteBuffer buf = ByteBuffer.allocate(view.size(name));
        view.read(name, buf);
        buf.flip();
        return StandardCharsets.UTF_8.decode(buf).toString();
    }

    static void write(Path p, String name, String value) throws IOException {
        UserDefinedFileAttributeView view = view(p);
        if (view == null) {
            throw new IOException("the file system of " + p + " does not support extended attributes");
        }
        view.write(name, StandardCharsets.UTF_8.encode(value));
    }
}
