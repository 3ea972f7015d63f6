package dev.migrator.provider;

import java.util.List;
import java.util.Map;

/**
 * The settings of a bucket that an application depends on beside its objects, as one provider reports
 * them: what {@code migrator inventory} shows and {@code copy --bucket-settings} carries to the target.
 * Each part is {@code null} when the store could not say (the server does not offer the call); an empty
 * list means "none set". {@code notes} say what could not be read and why, for the operator.
 *
 * @param cors          CORS rules
 * @param lifecycle     lifecycle rules
 * @param website       static website index and error documents, or {@code null}
 * @param versioning    whether the bucket keeps versions
 * @param publicAccess  public-access settings by name (S3 PublicAccessBlock flags, GCS uniform access and
 *                      public-access prevention), empty when none
 * @param policy        the bucket policy or IAM policy as the provider's JSON, or {@code null} when none
 * @param notes         what could not be read, one sentence each
 */
public record BucketSettings(List<Cors> cors, List<Lifecycle> lifecycle, Website website, Versioning versioning,
                             Map<String, String> publicAccess, String policy, List<String> notes) {

    public BucketSettings {
        cors = cors == null ? null : List.copyOf(cors);
        lifecycle = lifecycle == null ? null : List.copyOf(lifecycle);
        // --- s3set begin: sorted by name, so that inventory and actions show the flags in one order (Map.copyOf does not keep it)
        publicAccess = publicAccess == null ? null : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(publicAccess));
        // --- s3set end
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    /**
     * After a write of {@code written} (setting name as in {@link #unlessHeld}: "CORS", "website", "lifecycle rules",
     * "versioning", to the value written), these settings read back: one setting each that {@code displayUri}
     * accepted but did not keep, as an action ({@code byHand} says where to set it by hand).
     */
    public List<String> notKept(Map<String, Object> written, String displayUri, String byHand) {
        List<String> out = new java.util.ArrayList<>();
        written.forEach((what, wanted) -> {
            Object now = switch (what) {
                case "CORS" -> cors;
                case "website" -> website;
                case "lifecycle rules" -> lifecycle;
                default -> versioning;
            };
            if (!wanted.equals(now)) {
                out.add(displayUri + " accepted the bucket's " + what + " but reads back "
                        + (now == null ? "nothing" : now) + " instead of " + wanted + ": set it " + byHand);
            }
        });
        return out;
    }

    /**
     * The one decision every adapter's {@link Access#apply} makes per setting, so that nothing a target holds is lost
     * and a rerun has nothing to do: whether {@code wanted} (in the form this target reads it back) is still to be
     * set where the target holds {@code held}. True when the target holds none (an empty list, or {@code null}: the
     * target could not say); false when it holds the same (nothing to do) or another value, which is then never
     * replaced but added to {@code actions}, one line naming the setting, {@code where} and both values.
     */
    public static boolean unlessHeld(String what, Object wanted, Object held, String where, List<String> actions) {
        boolean none = held == null || held instanceof List<?> l && l.isEmpty();
        if (none) {
            return true;
        }
        if (!held.equals(wanted)) {
            actions.add("the " + what + " of " + where + " is already set to " + held + ", which differs from the source's "
                    + wanted + ": migrator does not replace it; reconcile the two by hand");
        }
        return false;
    }

    /** Whether a bucket keeps the versions of its objects. */
    public enum Versioning { OFF, ENABLED, SUSPENDED }

    /** One CORS rule: which origins may use which methods and headers. */
    public record Cors(List<String> origins, List<String> methods, List<String> headers, List<String> exposeHeaders,
                       Integer maxAgeSeconds) {
        public Cors {
            origins = List.copyOf(origins);
            methods = List.copyOf(methods);
            headers = headers == null ? List.of() : List.copyOf(headers);
            exposeHeaders = exposeHeaders == null ? List.of() : List.copyOf(exposeHeaders);
        }
    }

    /**
     * One lifecycle rule in the part every provider shares: objects under {@code prefix} are deleted
     * {@code expireDays} after creation and/or moved to {@code transitionClass} after {@code transitionDays}.
     * What a rule holds beyond that (tag filters, noncurrent versions, aborting uploads) is in {@code other},
     * in words, and is not carried across providers.
     */
    public record Lifecycle(String id, boolean enabled, String prefix, Integer expireDays, Integer transitionDays,
                            String transitionClass, String other) {
    }

    /** A static website's documents. */
    public record Website(String indexDocument, String errorDocument) {
    }

    /**
     * Optional capability of a store at the root of a bucket ({@link ObjectStore#bucketSettings()}): reads
     * its settings and applies another bucket's.
     */
    public interface Access {
        /** The bucket's settings; a part the server does not offer is {@code null}, with a note. */
        BucketSettings read();

        /**
         * Applies what has an equivalent here (CORS, website, lifecycle rules that map, versioning) and returns the
         * rest as actions for the operator, one sentence each naming the setting. Never loosens access on its own:
         * public access and policies are always actions. Never replaces a setting the target already holds: one equal
         * to the source's is left alone, another one is an action ({@link BucketSettings#unlessHeld}); each setting
         * written is read back, and one not kept is an action.
         */
        List<String> apply(BucketSettings settings);
    }
}
