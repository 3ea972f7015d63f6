package dev.migrator.provider;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Digest helpers, so that every module names algorithms and formats hashes the same way. */
public final class Digests {
    private Digests() {
    }

    public static MessageDigest md5() {
        return get("MD5");
    }

    public static MessageDigest sha256() {
        return get("SHA-256");
    }

    public static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    private static MessageDigest get(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required by the Java platform", e);
        }
    }
}
