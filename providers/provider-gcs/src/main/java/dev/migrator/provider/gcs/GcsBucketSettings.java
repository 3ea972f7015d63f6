package dev.migrator.provider.gcs;

import com.google.cloud.storage.Bucket;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.BucketInfo.LifecycleRule;
import com.google.cloud.storage.BucketInfo.LifecycleRule.LifecycleAction;
import com.google.cloud.storage.BucketInfo.LifecycleRule.LifecycleCondition;
import com.google.cloud.storage.BucketInfo.LifecycleRule.SetStorageClassLifecycleAction;
import com.google.cloud.storage.Cors;
import com.google.cloud.storage.HttpMethod;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageClass;
import dev.migrator.provider.BucketSettings;
import dev.migrator.provider.BucketSettings.Lifecycle;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.StorageClasses;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A GCS bucket's settings from its bucket resource (cors, lifecycle, website, versioning, iamConfiguration), and a
 * buckets.patch of those that have an equivalent. GCS lifecycle rules hold one action each, so an S3 rule that expires
 * and transitions becomes two; GCS CORS has no list of allowed request headers (its responseHeaders are the exposed ones).
 * IAM policies are not read (the bucket's getIamPolicy is a separate permission): a note says so.
 */
final class GcsBucketSettings implements BucketSettings.Access {
    private final Storage storage;
    private final String bucket;
    private final String displayUri;
    private final java.util.function.BiFunction<String, Supplier<?>, Object> call;

    GcsBucketSettings(Storage storage, String bucket, String displayUri, java.util.function.BiFunction<String, Supplier<?>, Object> call) {
        this.storage = storage;
        this.bucket = bucket;
        this.displayUri = displayUri;
        this.call = call;
    }

    @Override
    public BucketSettings read() {
        Bucket b = (Bucket) call.apply("reading the settings of bucket '" + bucket + "'", () -> storage.get(bucket));
        if (b == null) {
            throw MigratorException.badInput("bucket '" + bucket + "' does not exist at " + displayUri + ": check the name");
        }
        List<BucketSettings.Cors> cors = cors(b.getCors() == null ? List.<Cors>of() : b.getCors());
        List<Lifecycle> lifecycle = rules(b.getLifecycleRules() == null ? List.<LifecycleRule>of() : b.getLifecycleRules());
        BucketSettings.Website website = b.getIndexPage() == null && b.getNotFoundPage() == null ? null
                : new BucketSettings.Website(b.getIndexPage(), b.getNotFoundPage());
        BucketSettings.Versioning versioning = Boolean.TRUE.equals(b.versioningEnabled()) ? BucketSettings.Versioning.ENABLED
                : BucketSettings.Versioning.OFF;
        Map<String, String> access = new LinkedHashMap<>();
        if (b.getIamConfiguration() != null && b.getIamConfiguration().isUniformBucketLevelAccessEnabled() != null) {
            access.put("uniformBucketLevelAccess", b.getIamConfiguration().isUniformBucketLevelAccessEnabled().toString());
        }
        return new BucketSettings(cors, lifecycle, website, versioning, access, null,
                List.of("the bucket's IAM policy is not read (gcloud storage buckets get-iam-policy gs://" + bucket + ")"));
    }

    /** GCS CORS rules as {@link #read} reports them (GCS has no allowed request headers: always empty). */
    private static List<BucketSettings.Cors> cors(List<Cors> rules) {
        return rules.stream().map(c -> new BucketSettings.Cors(c.getOrigins().stream().map(Cors.Origin::getValue).toList(),
                c.getMethods().stream().map(HttpMethod::name).toList(), List.of(),
                c.getResponseHeaders() == null ? List.of() : c.getResponseHeaders(), c.getMaxAgeSeconds())).toList();
    }

    /** GCS lifecycle rules as {@link #read} reports them: one action each, named {@code rule-N} by position. */
    private static List<Lifecycle> rules(List<? extends LifecycleRule> rules) {
        List<Lifecycle> lifecycle = new ArrayList<>();
        int n = 0;
        for (LifecycleRule r : rules) {
            n++;
            LifecycleCondition c = r.getCondition();
            List<String> prefixes = c.getMatchesPrefix() == null ? List.of() : c.getMatchesPrefix();
            List<String> other = new ArrayList<>();
            if (prefixes.size() > 1) {
                other.add("prefixes " + prefixes);
            }
            if (c.getCreatedBeforeOffsetDateTime() != null || c.getNumberOfNewerVersions() != null || c.getIsLive() != null) {
                other.add("condition " + c);
            }
            String type = r.getAction().getActionType();
            Integer expire = "Delete".equals(type) ? c.getAge() : null;
            String cls = r.getAction() instanceof SetStorageClassLifecycleAction s ? s.getStorageClass().name() : null;
            if (expire == null && cls == null) {
                other.add("action " + type);
            }
            lifecycle.add(new Lifecycle("rule-" + n, true, prefixes.isEmpty() ? null : prefixes.get(0), expire,
                    cls == null ? null : c.getAge(), cls, other.isEmpty() ? null : String.join("; ", other)));
        }
        return lifecycle;
    }

    /**
     * {@inheritDoc} The target is read first and each setting compared in the form it reads back as, so a resumed
     * copy finds its own settings equal; only settings it does not hold go into the one buckets.patch.
     */
    @Override
    public List<String> apply(BucketSettings s) {
        List<String> actions = new ArrayList<>();
        String where = "bucket '" + bucket + "' at " + displayUri;
        BucketSettings here = read();
        Map<String, Object> written = new LinkedHashMap<>(); // what each patched setting should read back as
        BucketInfo.Builder patch = BucketInfo.newBuilder(bucket);
        if (s.cors() != null && !s.cors().isEmpty()) {
            List<Cors> cors = new ArrayList<>();
            for (BucketSettings.Cors r : s.cors()) {
                if (!r.headers().isEmpty() && !r.headers().equals(List.of("*"))) {
                    actions.add("CORS rule for " + r.origins() + " allows the request headers " + r.headers()
                            + ", which GCS does not restrict: check that " + where + " may accept any request header");
                }
                cors.add(Cors.newBuilder().setOrigins(r.origins().stream().map(Cors.Origin::of).toList())
                        .setMethods(r.methods().stream().map(HttpMethod::valueOf).toList())
                        .setResponseHeaders(r.exposeHeaders()).setMaxAgeSeconds(r.maxAgeSeconds()).build());
            }
            List<BucketSettings.Cors> intended = cors(cors);
            if (BucketSettings.unlessHeld("CORS", intended, here.cors(), where, actions)) {
                patch.setCors(cors);
                written.put("CORS", intended);
            }
        }
        if (s.website() != null && BucketSettings.unlessHeld("website", s.website(), here.website(), where, actions)) {
            patch.setIndexPage(s.website().indexDocument()).setNotFoundPage(s.website().errorDocument());
            written.put("website", s.website());
        }
        if (s.lifecycle() != null && !s.lifecycle().isEmpty()) {
            List<LifecycleRule> rules = new ArrayList<>();
            for (Lifecycle l : s.lifecycle()) {
                if (l.other() != null) {
                    // --- s3set begin: "other" may narrow the objects the rule acts on (an S3 tag filter): without it
                    // the rule would delete or move more than at the source, so none of it is set.
                    actions.add("lifecycle rule '" + l.id() + "' also has " + l.other() + ", which does not map, so the rule"
                            + " is not set at all (without that part it could act on more objects): set it on " + where + " by hand");
                    continue;
                    // --- s3set end
                }
                if (!l.enabled()) {
                    actions.add("lifecycle rule '" + l.id() + "' is disabled at the source; GCS rules cannot be disabled, so it is not set");
                    continue;
                }
                List<String> prefix = l.prefix() == null || l.prefix().isEmpty() ? null : List.of(l.prefix());
                if (l.expireDays() != null) {
                    rules.add(new LifecycleRule(LifecycleAction.newDeleteAction(),
                            LifecycleCondition.newBuilder().setAge(l.expireDays()).setMatchesPrefix(prefix).build()));
                }
                if (l.transitionClass() != null && l.transitionDays() != null) {
                    String cls = StorageClasses.forTarget(l.transitionClass(), StorageClasses.Family.ANY, StorageClasses.Family.GCS, null);
                    rules.add(new LifecycleRule(LifecycleAction.newSetStorageClassAction(StorageClass.valueOf(cls == null ? "STANDARD" : cls)),
                            LifecycleCondition.newBuilder().setAge(l.transitionDays()).setMatchesPrefix(prefix).build()));
                }
            }
            List<Lifecycle> intended = rules(rules);
            if (!rules.isEmpty() && BucketSettings.unlessHeld("lifecycle rules", intended, here.lifecycle(), where, actions)) {
                patch.setLifecycleRules(rules);
                written.put("lifecycle rules", intended);
            }
        }
        if (s.versioning() == BucketSettings.Versioning.ENABLED && here.versioning() != BucketSettings.Versioning.ENABLED) {
            patch.setVersioningEnabled(true);
            written.put("versioning", BucketSettings.Versioning.ENABLED);
        }
        if (!written.isEmpty()) {
            BucketInfo info = patch.build();
            call.apply("setting the settings of bucket '" + bucket + "'", () -> storage.update(info));
            // Read back: a server may accept a patch it does not keep whole.
            actions.addAll(read().notKept(written, displayUri, "on " + where + " by hand"));
        }
        if (s.publicAccess() != null && !s.publicAccess().isEmpty()) {
            actions.add("public access on the source is " + s.publicAccess() + ": review and set the access of " + where
                    + " by hand (migrator never loosens access by itself)");
        }
        if (s.policy() != null) {
            actions.add("the source has a bucket policy: translate it into IAM bindings for " + where + " and apply them by hand: " + s.policy());
        }
        s.notes().forEach(note -> actions.add("not read from the source: " + note + "; check it there by hand"));
        return actions;
    }
}
