package dev.migrator.provider;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Storage classes: kept by name within a provider, mapped across providers by one table (below), or
 * replaced by an operator's {@code --storage-class}. Every caller that chooses a target's class or
 * compares two classes asks here, so the table lives in one place.
 *
 * <h2>The mapping table</h2>
 * Each class belongs to a tier, chosen by what an application notices first (can it read the object
 * now, or must it be restored for hours?) and then by minimum storage duration. A copy across
 * providers writes the target provider's class of the same tier, the first one named in its column:
 * <pre>
 * tier             | S3 (s3://)                                   | GCS (gs://)         | Azure Blob (az://)
 * -----------------+----------------------------------------------+---------------------+-------------------
 * HOT              | STANDARD, INTELLIGENT_TIERING,                | STANDARD,           | Hot
 *                  | REDUCED_REDUNDANCY, EXPRESS_ONEZONE           | MULTI_REGIONAL,     |
 *                  |                                              | REGIONAL, DURABLE_  |
 *                  |                                              | REDUCED_AVAILABILITY|
 * COOL   (30 days) | STANDARD_IA, ONEZONE_IA                      | NEARLINE            | Cool
 * COLD   (90 days) | GLACIER_IR                                   | COLDLINE            | Cold
 * ARCHIVE_ONLINE   | (GLACIER_IR)                                 | ARCHIVE             | (Cold)
 * ARCHIVE_OFFLINE  | GLACIER, DEEP_ARCHIVE                        | (ARCHIVE)           | Archive
 * </pre>
 * A name in parentheses is the nearest class where the provider has none of that tier: GCS ARCHIVE is
 * readable at once, so it maps to S3 GLACIER_IR and Azure Cold rather than to a class that would need a
 * restore; S3 GLACIER/DEEP_ARCHIVE and Azure Archive map to GCS ARCHIVE. INTELLIGENT_TIERING moves
 * objects by itself within S3 and maps to the other providers' HOT class. A store's default class
 * (S3 and GCS STANDARD, Azure Hot) is the same as no class ({@link #sameClass}).
 * Stores that keep any class name (local disk, bundles: {@link Family#ANY}) keep the source's name, so a
 * later copy onward still maps it from the provider it came from.
 */
public final class StorageClasses {
    private StorageClasses() {
    }

    /** Whose class names a store takes. */
    public enum Family {
        S3, GCS, AZURE,
        /** keeps whatever name it is given (local disk, bundles) */
        ANY,
        /** has no storage classes: the class is dropped */
        NONE
    }

    /** How quickly an object of a class can be read, and roughly how long it must be kept. */
    public enum Tier {
        HOT, COOL, COLD, ARCHIVE_ONLINE, ARCHIVE_OFFLINE;

        /** Objects of this tier must be restored (hours) before they can be read. */
        public boolean needsRestore() {
            return this == ARCHIVE_OFFLINE;
        }
    }

    private static final Map<Family, Map<String, Tier>> CLASSES = Map.of(
            Family.S3, Map.of("STANDARD", Tier.HOT, "INTELLIGENT_TIERING", Tier.HOT, "REDUCED_REDUNDANCY", Tier.HOT,
                    "EXPRESS_ONEZONE", Tier.HOT, "STANDARD_IA", Tier.COOL, "ONEZONE_IA", Tier.COOL,
                    "GLACIER_IR", Tier.COLD, "GLACIER", Tier.ARCHIVE_OFFLINE, "DEEP_ARCHIVE", Tier.ARCHIVE_OFFLINE),
            Family.GCS, Map.of("STANDARD", Tier.HOT, "MULTI_REGIONAL", Tier.HOT, "REGIONAL", Tier.HOT,
                    "DURABLE_REDUCED_AVAILABILITY", Tier.HOT, "NEARLINE", Tier.COOL, "COLDLINE", Tier.COLD,
                    "ARCHIVE", Tier.ARCHIVE_ONLINE),
            Family.AZURE, Map.of("Hot", Tier.HOT, "Cool", Tier.COOL, "Cold", Tier.COLD, "Archive", Tier.ARCHIVE_OFFLINE));

    /** The class each provider writes for a tier (the first of its column, or the nearest). */
    private static final Map<Family, Map<Tier, String>> TARGET = Map.of(
            Family.S3, Map.of(Tier.HOT, "STANDARD", Tier.COOL, "STANDARD_IA", Tier.COLD, "GLACIER_IR",
                    Tier.ARCHIVE_ONLINE, "GLACIER_IR", Tier.ARCHIVE_OFFLINE, "GLACIER"),
            Family.GCS, Map.of(Tier.HOT, "STANDARD", Tier.COOL, "NEARLINE", Tier.COLD, "COLDLINE",
                    Tier.ARCHIVE_ONLINE, "ARCHIVE", Tier.ARCHIVE_OFFLINE, "ARCHIVE"),
            Family.AZURE, Map.of(Tier.HOT, "Hot", Tier.COOL, "Cool", Tier.COLD, "Cold",
                    Tier.ARCHIVE_ONLINE, "Cold", Tier.ARCHIVE_OFFLINE, "Archive"));

    private static final List<Family> PROVIDERS = List.of(Family.S3, Family.GCS, Family.AZURE);

    /** The classes a provider knows, for messages and for checking {@code --storage-class}. */
    public static List<String> names(Family family) {
        return CLASSES.getOrDefault(family, Map.of()).keySet().stream().sorted().toList();
    }

    /**
     * The tier of {@code cls} as spelled by {@code family} (for {@link Family#ANY}, by whichever provider
     * spells it so: names are unique across providers but for STANDARD, HOT in both). No class is HOT;
     * an unknown name is empty.
     */
    public static Optional<Tier> tier(Family family, String cls) {
        if (cls == null) {
            return Optional.of(Tier.HOT);
        }
        List<Family> look = family == Family.ANY || family == Family.NONE ? PROVIDERS : List.of(family);
        for (Family f : look) {
            Tier t = CLASSES.get(f).get(cls);
            if (t != null) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** Whether two classes of one provider are the same: a default class equals no class. */
    public static boolean sameClass(String a, String b) {
        return java.util.Objects.equals(normal(a), normal(b));
    }

    private static String normal(String cls) {
        return cls == null || cls.equals("STANDARD") || cls.equals("Hot") ? null : cls;
    }

    /**
     * The class to write on a target of family {@code to} for an object of class {@code cls} on a source
     * of family {@code from}: {@code override} when given (checked with {@link #checkOverride} first);
     * else the same name within a provider or on a store that keeps any name; else the table's class of
     * the same tier, null for the target's default. An unknown source name is kept within its provider
     * and dropped across providers (the target's default class).
     */
    public static String forTarget(String cls, Family from, Family to, String override) {
        if (override != null) {
            return normal(override);
        }
        if (to == Family.NONE) {
            return null;
        }
        if (to == Family.ANY || to == from) {
            return cls;
        }
        return tier(from, cls).map(t -> normal(TARGET.get(to).get(t))).orElse(null);
    }

    /**
     * Checks an operator's {@code --storage-class} against the target's provider.
     *
     * @throws MigratorException {@link ErrorCode#BAD_INPUT} naming the class and the valid ones
     */
    public static void checkOverride(String override, Family to, String targetUri) {
        if (override == null || to == Family.ANY) {
            return;
        }
        if (to == Family.NONE) {
            throw MigratorException.badInput("--storage-class " + override + ": " + targetUri
                    + " has no storage classes; drop the option");
        }
        if (!CLASSES.get(to).containsKey(override)) {
            throw MigratorException.badInput("--storage-class " + override + " is not a storage class of " + targetUri
                    + "; use one of " + String.join(", ", names(to)));
        }
    }
}
