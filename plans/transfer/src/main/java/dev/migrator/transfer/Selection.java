package dev.migrator.transfer;

import dev.migrator.provider.Keys;
import java.util.List;

/**
 * Which keys of a store a copy or a verify covers: keys under one of {@code include} (all keys when
 * empty), not under any of {@code exclude}, and in the half-open key range {@code [from, to)} in
 * {@link Keys#ORDER} ({@code null} bounds are open). Plans use it to split one large source into
 * shards and to move only some prefixes.
 */
public record Selection(List<String> include, List<String> exclude, String from, String to) {
    public static final Selection ALL = new Selection(List.of(), List.of(), null, null);

    public Selection {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
    }

    public boolean isAll() {
        return include.isEmpty() && exclude.isEmpty() && from == null && to == null;
    }

    public boolean contains(String key) {
        if (from != null && Keys.ORDER.compare(key, from) < 0) {
            return false;
        }
        if (to != null && Keys.ORDER.compare(key, to) >= 0) {
            return false;
        }
        for (String e : exclude) {
            if (key.startsWith(e)) {
                return false;
            }
        }
        if (include.isEmpty()) {
            return true;
        }
        for (String i : include) {
            if (key.startsWith(i)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code key} lies at or beyond the range's end, so that a reader of a listing in
     * {@link Keys#ORDER} can stop there instead of listing the rest of the store (each shard of a plan
     * would otherwise list the whole source and target).
     */
    public boolean pastEnd(String key) {
        return to != null && Keys.ORDER.compare(key, to) >= 0;
    }

    /** The same prefixes, restricted to {@code [from, to)}. */
    public Selection range(String from, String to) {
        return new Selection(include, exclude, from, to);
    }

    @Override
    public String toString() {
        if (isAll()) {
            return "all keys";
        }
        StringBuilder s = new StringBuilder();
        if (!include.isEmpty()) {
            s.append("under ").append(include);
        }
        if (!exclude.isEmpty()) {
            s.append(s.length() > 0 ? " " : "").append("not under ").append(exclude);
        }
        if (from != null || to != null) {
            s.append(s.length() > 0 ? " " : "").append("keys [").append(from == null ? "" : from).append(", ")
                    .append(to == null ? "end" : to).append(')');
        }
        return s.toString();
    }
}
