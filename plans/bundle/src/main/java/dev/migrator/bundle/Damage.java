package dev.migrator.bundle;

/**
 * One thing found wrong with a bundle.
 *
 * @param what   the file of the bundle ({@code manifest.jsonl}, a part) or an entry ({@code part: key})
 * @param detail for a person: what is wrong
 */
public record Damage(String what, String detail) {
    @Override
    public String toString() {
        return what + ": " + detail;
    }
}
