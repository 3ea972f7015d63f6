package dev.migrator.provider.s3;

import dev.migrator.provider.BucketSettings;
import dev.migrator.provider.BucketSettings.Cors;
import dev.migrator.provider.BucketSettings.Lifecycle;
import dev.migrator.provider.BucketSettings.Versioning;
import dev.migrator.provider.BucketSettings.Website;
import dev.migrator.provider.StorageClasses;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.SdkServiceClientConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
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
        List<Cors> cors = get("CORS", "CORSConfiguration", notes, List.of(), o -> {
            var r = store.s3().getBucketCors(b -> b.bucket(bucket).overrideConfiguration(o));
            // S3 answers NoSuchCORSConfiguration when none is set, never a configuration without rules.
            return r.hasCorsRules() && !r.corsRules().isEmpty() ? r.corsRules().stream()
                    .map(c -> new Cors(c.allowedOrigins(), c.allowedMethods(), c.allowedHeaders(), c.exposeHeaders(), c.maxAgeSeconds()))
                    .toList() : wrong("a CORS configuration without any rule");
        });
        List<Lifecycle> lifecycle = get("lifecycle rules", "LifecycleConfiguration", notes, List.of(), o -> {
            var r = store.s3().getBucketLifecycleConfiguration(b -> b.bucket(bucket).overrideConfiguration(o));
            return r.hasRules() && !r.rules().isEmpty() ? r.rules().stream().map(S3BucketSettings::rule).toList()
                    : wrong("a lifecycle configuration without any rule");
        });
        Website website = get("website", "WebsiteConfiguration", notes, null, o -> {
            var w = store.s3().getBucketWebsite(b -> b.bucket(bucket).overrideConfiguration(o));
            if (w.redirectAllRequestsTo() != null || w.hasRoutingRules() && !w.routingRules().isEmpty()) {
                notes.add("the website of bucket '" + bucket + "' at " + store.displayUri() + " redirects ("
                        + (w.redirectAllRequestsTo() != null ? "all requests to " + w.redirectAllRequestsTo().hostName()
                        : w.routingRules().size() + " routing rules") + "), which is not carried: set it by hand");
            }
            if (w.indexDocument() == null) {
                return w.redirectAllRequestsTo() != null ? null : wrong("a website configuration without an index document");
            }
            return new Website(w.indexDocument().suffix(), w.errorDocument() == null ? null : w.errorDocument().key());
        });
        Versioning versioning = get("versioning", "VersioningConfiguration", notes, null, o -> {
            BucketVersioningStatus s = store.s3().getBucketVersioning(b -> b.bucket(bucket).overrideConfiguration(o)).status();
            return s == BucketVersioningStatus.ENABLED ? Versioning.ENABLED
                    : s == BucketVersioningStatus.SUSPENDED ? Versioning.SUSPENDED : Versioning.OFF;
        });
        Map<String, String> publicAccess = get("public-access block", "PublicAccessBlockConfiguration", notes, Map.of(), o -> {
            PublicAccessBlockConfiguration c = store.s3().getPublicAccessBlock(b -> b.bucket(bucket).overrideConfiguration(o))
                    .publicAccessBlockConfiguration();
            Map<String, String> m = new LinkedHashMap<>();
            // A flag left out is not set.
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
        String policy = get("policy", ExpectedAnswer.JSON, notes, null,
                o -> store.s3().getBucketPolicy(b -> b.bucket(bucket).overrideConfiguration(o)).policy());
        return new BucketSettings(cors, lifecycle, website, versioning, publicAccess, policy, notes);
    }

    static Lifecycle rule(LifecycleRule r) {
        String prefix = r.filter() != null && r.filter().prefix() != null ? r.filter().prefix()
                : r.filter() != null && r.filter().and() != null ? r.filter().and().prefix() : r.prefix();
        if (prefix != null && prefix.isEmpty()) {
            prefix = null; // servers differ in whether they send back an empty <Prefix/>; both mean every object
        }
        List<String> other = new ArrayList<>();
        if (r.filter() != null && (r.filter().tag() != null || r.filter().and() != null
                || r.filter().objectSizeGreaterThan() != null || r.filter().objectSizeLessThan() != null)) {
            other.add("filter " + filter(r.filter()));
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

    /** A lifecycle filter in words: "prefix tmp/ and tag scratch=yes and size > 1024". */
    private static String filter(software.amazon.awssdk.services.s3.model.LifecycleRuleFilter f) {
        List<String> parts = new ArrayList<>();
        var and = f.and();
        String prefix = and != null ? and.prefix() : f.prefix();
        if (prefix != null && !prefix.isEmpty()) {
            parts.add("prefix " + prefix);
        }
        if (f.tag() != null) {
            parts.add("tag " + f.tag().key() + "=" + f.tag().value());
        }
        if (and != null && and.hasTags()) {
            and.tags().forEach(t -> parts.add("tag " + t.key() + "=" + t.value()));
        }
        Long greater = and != null ? and.objectSizeGreaterThan() : f.objectSizeGreaterThan();
        Long less = and != null ? and.objectSizeLessThan() : f.objectSizeLessThan();
        if (greater != null) {
            parts.add("size > " + greater);
        }
        if (less != null) {
            parts.add("size < " + less);
        }
        if (and != null && !and.hasTags() && greater == null && less == null) {
            parts.add("(an And filter with nothing beside its prefix)");
        }
        return String.join(" and ", parts);
    }

    /**
     * One Get call, given the request override that checks the server's answer: its value; {@code none} when S3
     * says it is not set; null with a note when the server lacks the call, or answers with something that is not
     * this call's document (S3Mock answers a bucket listing to several of them; a proxy may answer an HTML page).
     */
    private <T> T get(String what, String expectedRoot, List<String> notes, T none,
                      Function<Consumer<AwsRequestOverrideConfiguration.Builder>, T> call) {
        ExpectedAnswer check = new ExpectedAnswer(expectedRoot);
        try {
            T value = call.apply(o -> o.addPlugin(check));
            if (check.wrong != null) {
                throw new WrongAnswer(check.wrong);
            }
            return value;
        } catch (WrongAnswer e) {
            notes.add(wrongAnswerNote(what, expectedRoot, check.wrong != null ? check.wrong : e.getMessage()));
            return null;
        } catch (S3Exception e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            if (code != null && NONE_SET.contains(code)) {
                return none;
            }
            if (lacksCall(e)) {
                notes.add(refusal(e, "read", what));
                return null;
            }
            throw store.errors.translate(e, "reading the " + what + " of bucket '" + bucket + "'");
        } catch (SdkException e) {
            if (check.wrong != null) { // the SDK could not parse what came instead (an HTML page)
                notes.add(wrongAnswerNote(what, expectedRoot, check.wrong));
                return null;
            }
            // An error answer from some other web server (a gateway's page for this one sub-resource): the
            // rest of the bucket answered like S3, so only this setting is unknown.
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof GuardedHttpClient.NotS3Answer notS3) {
                    notes.add(wrongAnswerNote(what, expectedRoot, "a page that is not an S3 answer (" + notS3.getMessage() + ")"));
                    return null;
                }
            }
            throw store.errors.translate(e, "reading the " + what + " of bucket '" + bucket + "'");
        }
    }

    private String wrongAnswerNote(String what, String expectedRoot, String instead) {
        return store.displayUri() + " answered the request for the bucket's " + what + " with " + instead + ", not "
                + (ExpectedAnswer.JSON.equals(expectedRoot) ? "a JSON policy" : "a " + expectedRoot) + ": not taken as a setting";
    }

    /** Thrown from inside a Get call when the parsed answer cannot be a setting (see {@link #get}). */
    private static <T> T wrong(String what) {
        throw new WrongAnswer(what);
    }

    private static final class WrongAnswer extends RuntimeException {
        WrongAnswer(String what) {
            super(what, null, false, false);
        }
    }

    /**
     * A per-request plugin that looks at the body of a successful answer before the SDK parses it and records
     * when it is not the call's document: the XML root element S3 answers with, or a JSON object for a policy.
     * The SDK's XML parsing does not check the root, so without this a listing would read as "no rules".
     */
    static final class ExpectedAnswer implements SdkPlugin, ExecutionInterceptor {
        static final String JSON = "JSON";
        private final String root;
        volatile String wrong;

        ExpectedAnswer(String root) {
            this.root = root;
        }

        @Override
        public void configureClient(SdkServiceClientConfiguration.Builder config) {
            config.overrideConfiguration(config.overrideConfiguration().toBuilder().addExecutionInterceptor(this).build());
        }

        @Override
        public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
            if (!context.httpResponse().isSuccessful() || context.responseBody().isEmpty()) {
                if (context.httpResponse().isSuccessful() && JSON.equals(root)) {
                    wrong = "an empty answer";
                }
                return context.responseBody();
            }
            byte[] body;
            try (InputStream in = context.responseBody().get()) {
                body = in.readAllBytes(); // a setting's document: a few kilobytes at most
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            wrong = mismatch(root, new String(body, StandardCharsets.UTF_8));
            return Optional.of(new ByteArrayInputStream(body));
        }

        /** What {@code body} is instead of the expected document, or null when it is that document. */
        static String mismatch(String root, String body) {
            String text = body.strip();
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1).strip();
            }
            if (JSON.equals(root)) {
                return text.startsWith("{") && text.endsWith("}") ? null : text.isEmpty() ? "an empty answer" : describe(text);
            }
            String found = rootElement(text);
            return root.equals(found) ? null : describe(text);
        }

        private static String describe(String text) {
            String found = rootElement(text);
            if (found == null) {
                return text.isEmpty() ? "an empty answer" : "text that is not XML";
            }
            return switch (found.toLowerCase(java.util.Locale.ROOT)) {
                case "listbucketresult" -> "a listing of the bucket's objects";
                case "html", "!doctype" -> "an HTML page";
                default -> "an XML document <" + found + ">";
            };
        }

        /** The name of the first element of an XML text (after its declaration and comments), without prefix. */
        static String rootElement(String text) {
            int i = 0;
            while (true) {
                int lt = text.indexOf('<', i);
                if (lt < 0 || !text.substring(i, lt).isBlank()) {
                    return null;
                }
                if (text.startsWith("<?", lt) || text.startsWith("<!--", lt)) {
                    int close = text.indexOf(text.startsWith("<?", lt) ? "?>" : "-->", lt);
                    if (close < 0) {
                        return null;
                    }
                    i = close + (text.startsWith("<?", lt) ? 2 : 3);
                    continue;
                }
                int j = lt + 1;
                while (j < text.length() && !Character.isWhitespace(text.charAt(j)) && text.charAt(j) != '>' && text.charAt(j) != '/') {
                    j++;
                }
                String name = text.substring(lt + 1, j);
                return name.isEmpty() ? null : name.substring(name.indexOf(':') + 1);
            }
        }
    }

    /**
     * 501 NotImplemented, the 400/405 some S3-compatible servers answer for a sub-resource they do not know, a
     * 400/404 without an S3 error code (an XML or empty error from something else), or 403: the credentials may list
     * and copy but not read this one setting (s3:GetBucketPolicy is often withheld), which must not stop the rest.
     */
    private static boolean lacksCall(S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        int status = e.statusCode();
        return status == 501 || status == 405 || status == 403 || "NotImplemented".equals(code)
                || (status == 400 && ("InvalidRequest".equals(code) || "InvalidArgument".equals(code)))
                || ((status == 400 || status == 404) && (code == null || code.isBlank()));
    }

    /**
     * {@inheritDoc} A setting the target already holds is left as it is: when it equals the source's there is
     * nothing to do (a resumed copy), when it differs it is an action, never replaced.
     */
    @Override
    public List<String> apply(BucketSettings s) {
        List<String> actions = new ArrayList<>();
        String where = "bucket '" + bucket + "' at " + store.displayUri();
        BucketSettings here = read();
        Map<String, Object> written = new LinkedHashMap<>(); // what each accepted put should read back as
        if (s.cors() != null && !s.cors().isEmpty() && BucketSettings.unlessHeld("CORS", s.cors(), here.cors(), where, actions)) {
            put("CORS", s.cors(), written, actions, () -> store.s3().putBucketCors(b -> b.bucket(bucket).corsConfiguration(c -> c.corsRules(
                    s.cors().stream().map(r -> CORSRule.builder().allowedOrigins(r.origins()).allowedMethods(r.methods())
                            .allowedHeaders(r.headers()).exposeHeaders(r.exposeHeaders()).maxAgeSeconds(r.maxAgeSeconds()).build())
                            .toList()))));
        }
        if (s.website() != null && s.website().indexDocument() != null
                && BucketSettings.unlessHeld("website", s.website(), here.website(), where, actions)) {
            put("website", s.website(), written, actions, () -> store.s3().putBucketWebsite(b -> b.bucket(bucket).websiteConfiguration(w -> {
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
                    // What "other" holds may narrow the objects the rule acts on (a tag filter, noncurrent versions
                    // only): without it the rule would delete or move more than at the source, so none of it is set.
                    actions.add("lifecycle rule '" + l.id() + "' also has " + l.other() + ", which does not map, so the rule"
                            + " is not set at all (without that part it could act on more objects): set it on " + where + " by hand");
                    continue;
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
            // Compared as this class reads them back, so a resumed copy finds its own rules equal.
            List<Lifecycle> intended = rules.stream().map(S3BucketSettings::rule).toList();
            if (!rules.isEmpty() && BucketSettings.unlessHeld("lifecycle rules", intended, here.lifecycle(), where, actions)) {
                put("lifecycle rules", intended, written, actions, () -> store.s3().putBucketLifecycleConfiguration(b -> b.bucket(bucket)
                        .lifecycleConfiguration(BucketLifecycleConfiguration.builder().rules(rules).build())));
            }
        }
        if (s.versioning() == Versioning.ENABLED) {
            put("versioning", Versioning.ENABLED, written, actions, () -> store.s3().putBucketVersioning(b -> b.bucket(bucket)
                    .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED))));
        }
        if (!written.isEmpty()) {
            // Read back: a server may accept a put it does not keep (S3Mock takes some for a CreateBucket).
            actions.addAll(read().notKept(written, store.displayUri(), "by hand"));
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

    /** Why the server would not {@code verb} (read or set) the setting, with its status and code. */
    private String refusal(S3Exception e, String verb, String what) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String answer = " (" + e.statusCode() + (code == null || code.isBlank() ? "" : " " + code) + ")";
        return e.statusCode() == 403
                ? store.displayUri() + " does not let these credentials " + verb + " the bucket's " + what + answer
                : store.displayUri() + " does not offer " + (verb.equals("read") ? "reading" : "setting") + " the bucket's " + what + answer;
    }

    /** One Put call; when the server accepts it, {@code wanted} is recorded in {@code written} to be read back. */
    private void put(String what, Object wanted, Map<String, Object> written, List<String> actions, Runnable call) {
        try {
            call.run();
            written.put(what, wanted);
        } catch (S3Exception e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            // S3Mock answers some bucket sub-resource PUTs as a second CreateBucket.
            if (lacksCall(e) || "BucketAlreadyOwnedByYou".equals(code) || "BucketAlreadyExists".equals(code)) {
                actions.add(refusal(e, "set", what) + ": set it by hand");
                return;
            }
            throw store.errors.translate(e, "setting the " + what + " of bucket '" + bucket + "'");
        } catch (SdkException e) {
            throw store.errors.translate(e, "setting the " + what + " of bucket '" + bucket + "'");
        }
    }
}
