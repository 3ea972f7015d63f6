package dev.migrator.provider.s3;

import dev.migrator.provider.BucketSettings;
import dev.migrator.provider.BucketSettings.Cors;
import dev.migrator.provider.BucketSettings.Lifecycle;
import dev.migrator.provider.BucketSettings.Versioning;
import dev.migrator.provider.BucketSettings.Website;
import dev.migrator.provider.StorageClasses;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.BucketLifecycleConfiguration;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CORSRule;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.PublicAccessBlockConfiguration;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Transition;

/**
 * A bucket's settings through GetBucketCors, GetBucketLifecycleConfiguration, GetBucketWebsite,
 * GetBucketVersioning, GetPublicAccessBlock and GetBucketPolicy, and their Put counterparts. A setting
 * that is not there answers with its own NoSuch… code (none set); a server that does not offer the call
 * (S3-compatible stores often lack some: 501 NotImplemented, or 400/405) leaves that part unknown, with a note.
 */
final class S3BucketSettings implements BucketSettings.Access {
    /** The codes S3 answers when a setting is simply not set. */
    private static final Set<String> NONE_SET = Set.of("NoSuchCORSConfiguration", "NoSuchLifecycleConfiguration",
            "NoSuchWebsiteConfiguration", "NoSuchPublicAccessBlockConfiguration", "NoSuchBucketPolicy",
            "NoSuchPolicy"); // S3Proxy's spelling of NoSuchBucketPolicy
    private final S3ObjectStore store;
    private final String bucket;

    S3BucketSettings(S3ObjectStore store) {
        this.store = store;
        this.bucket = store.location.bucket();
    }

    @Override
    public BucketSettings read() {
        List<String> notes = new ArrayList<>();
        List<Cors> cors = get("CORS", notes, List.of(), () -> store.s3.getBucketCors(b -> b.bucket(bucket)).corsRules().stream()
                .map(r -> new Cors(r.allowedOrigins(), r.allowedMethods(), r.allowedHeaders(), r.exposeHeaders(), r.maxAgeSeconds()))
                .toList());
        List<Lifecycle> lifecycle = get("lifecycle rules", notes, List.of(),
                () -> store.s3.getBucketLifecycleConfiguration(b -> b.bucket(bucket)).rules().stream().map(S3BucketSettings::rule).toList());
        Website website = get("website", notes, null, () -> {
            var w = store.s3.getBucketWebsite(b -> b.bucket(bucket));
            return new Website(w.indexDocument() == null ? null : w.indexDocument().suffix(),
                    w.errorDocument() == null ? null : w.errorDocument().key());
        });
        Versioning versioning = get("versioning", notes, null, () -> {
            BucketVersioningStatus s = store.s3.getBucketVersioning(b -> b.bucket(bucket)).status();
            return s == BucketVersioningStatus.ENABLED ? Versioning.ENABLED
                    : s == BucketVersioningStatus.SUSPENDED ? Versioning.SUSPENDED : Versioning.OFF;
        });
        Map<String, String> publicAccess = get("public-access block", notes, Map.of(), () -> {
            PublicAccessBlockConfiguration c = store.s3.getPublicAccessBlock(b -> b.bucket(bucket)).publicAccessBlockConfiguration();
            Map<String, String> m = new LinkedHashMap<>();
            // A flag left out is not set (S3Proxy answers an empty configuration).
            java.util.function.BiConsumer<String, Boolean> flag = (k, v) -> {
                if (v != null) {
                    m.put(k, v.toString());
                }
            };
            flag.accept("BlockPublicAcls", c.blockPublicAcls());
            flag.accept("IgnorePublicAcls", c.ignorePublicAcls());
            flag.accept("BlockPublicPolicy", c.blockPublicPolicy());
            flag.accept("RestrictPublicBuckets", c.restrictPublicBuckets());
            return m;
        });
        String policy = get("policy", notes, null, () -> store.s3.getBucketPolicy(b -> b.bucket(bucket)).policy());
        return new BucketSettings(cors, lifecycle, website, versioning, publicAccess, policy, notes);
    }

    private static Lifecycle rule(LifecycleRule r) {
        String prefix = r.filter() != null && r.filter().prefix() != null ? r.filter().prefix() : r.prefix();
        List<String> other = new ArrayList<>();
        if (r.filter() != null && (r.filter().tag() != null || r.filter().and() != null
                || r.filter().objectSizeGreaterThan() != null || r.filter().objectSizeLessThan() != null)) {
            other.add("filter " + r.filter());
        }
        if (r.noncurrentVersionExpiration() != null || r.hasNoncurrentVersionTransitions() && !r.noncurrentVersionTransitions().isEmpty()) {
            other.add("noncurrent versions: " + r.noncurrentVersionExpiration() + " " + r.noncurrentVersionTransitions());
        }
        if (r.abortIncompleteMultipartUpload() != null) {
            other.add("abort incomplete uploads after " + r.abortIncompleteMultipartUpload().daysAfterInitiation() + " days");
        }
        Integer expire = r.expiration() == null ? null : r.expiration().days();
        if (r.expiration() != null && r.expiration().date() != null) {
            other.add("expire on " + r.expiration().date());
        }
        Transition t = r.hasTransitions() && !r.transitions().isEmpty() ? r.transitions().get(0) : null;
        if (r.hasTransitions() && r.transitions().size() > 1) {
            other.add("further transitions " + r.transitions().subList(1, r.transitions().size()));
        }
        return new Lifecycle(r.id(), r.status() == ExpirationStatus.ENABLED, prefix, expire,
                t == null ? null : t.days(), t == null ? null : t.storageClassAsString(), other.isEmpty() ? null : String.join("; ", other));
    }

    /** One Get call: its value, {@code none} when S3 says it is not set, null with a note when the server lacks the call. */
    private <T> T get(String what, List<String> notes, T none, Supplier<T> call) {
        try {
            return call.get();
        } catch (S3Exception e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            if (code != null && NONE_SET.contains(code)) {
                return none;
            }
            if (lacksCall(e)) {
                notes.add(store.displayUri() + " does not offer reading the bucket's " + what + " (" + e.statusCode()
                        + (code == null ? "" : " " + code) + ")");
                return null;
            }
            throw store.errors.translate(e, "reading the " + what + " of bucket '" + bucket + "'");
        } catch (SdkException e) {
            throw store.errors.translate(e, "reading the " + what + " of bucket '" + bucket + "'");
        }
    }

    /** 501 NotImplemented, or the 400/405 some S3-compatible servers answer for a sub-resource they do not know. */
    private static boolean lacksCall(S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return e.statusCode() == 501 || e.statusCode() == 405 || "NotImplemented".equals(code)
                || (e.statusCode() == 400 && ("InvalidRequest".equals(code) || "InvalidArgument".equals(code)));
    }

    @Override
    public List<String> apply(BucketSettings s) {
        List<String> actions = new ArrayList<>();
        String where = "bucket '" + bucket + "' at " + store.displayUri();
        if (s.cors() != null && !s.cors().isEmpty()) {
            put("CORS", actions, () -> store.s3.putBucketCors(b -> b.bucket(bucket).corsConfiguration(c -> c.corsRules(
                    s.cors().stream().map(r -> CORSRule.builder().allowedOrigins(r.origins()).allowedMethods(r.methods())
                            .allowedHeaders(r.headers()).exposeHeaders(r.exposeHeaders()).maxAgeSeconds(r.maxAgeSeconds()).build())
                            .toList()))));
        }
        if (s.website() != null && s.website().indexDocument() != null) {
            put("website", actions, () -> store.s3.putBucketWebsite(b -> b.bucket(bucket).websiteConfiguration(w -> {
                w.indexDocument(i -> i.suffix(s.website().indexDocument()));
                if (s.website().errorDocument() != null) {
                    w.errorDocument(e -> e.key(s.website().errorDocument()));
                }
            })));
        }
        if (s.lifecycle() != null && !s.lifecycle().isEmpty()) {
            List<LifecycleRule> rules = new ArrayList<>();
            for (Lifecycle l : s.lifecycle()) {
                if (l.other() != null) {
                    actions.add("lifecycle rule '" + l.id() + "' also has " + l.other() + ": set that part on " + where + " by hand");
                }
                String cls = l.transitionClass() == null ? null
                        : StorageClasses.forTarget(l.transitionClass(), StorageClasses.Family.ANY, StorageClasses.Family.S3, null);
                if (l.expireDays() == null && cls == null) {
                    continue;
                }
                LifecycleRule.Builder r = LifecycleRule.builder().id(l.id()).status(l.enabled() ? ExpirationStatus.ENABLED : ExpirationStatus.DISABLED)
                        .filter(f -> f.prefix(l.prefix() == null ? "" : l.prefix()));
                if (l.expireDays() != null) {
                    r.expiration(e -> e.days(l.expireDays()));
                }
                if (cls != null && l.transitionDays() != null) {
                    r.transitions(Transition.builder().days(l.transitionDays()).storageClass(cls).build());
                }
                rules.add(r.build());
            }
            if (!rules.isEmpty()) {
                put("lifecycle rules", actions, () -> store.s3.putBucketLifecycleConfiguration(b -> b.bucket(bucket)
                        .lifecycleConfiguration(BucketLifecycleConfiguration.builder().rules(rules).build())));
            }
        }
        if (s.versioning() == Versioning.ENABLED) {
            put("versioning", actions, () -> store.s3.putBucketVersioning(b -> b.bucket(bucket)
                    .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED))));
        }
        if (s.publicAccess() != null && !s.publicAccess().isEmpty()) {
            actions.add("public access on the source is " + s.publicAccess() + ": review and set the public-access block of "
                    + where + " by hand (migrator never loosens access by itself)");
        }
        if (s.policy() != null) {
            actions.add("the source has a bucket policy: translate it for " + where + " (principals and resource names differ"
                    + " between accounts) and apply it by hand: " + s.policy());
        }
        s.notes().forEach(n -> actions.add("not read from the source: " + n + "; check it there by hand"));
        return actions;
    }

    private void put(String what, List<String> actions, Runnable call) {
        try {
            call.run();
        } catch (S3Exception e) {
            if (lacksCall(e)) {
                actions.add(store.displayUri() + " does not offer setting the bucket's " + what + " (" + e.statusCode()
                        + "): set it by hand on the server that replaces it");
                return;
            }
            throw store.errors.translate(e, "setting the " + what + " of bucket '" + bucket + "'");
        } catch (SdkException e) {
            throw store.errors.translate(e, "setting the " + what + " of bucket '" + bucket + "'");
        }
    }
}
