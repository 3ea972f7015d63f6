package dev.migrator.plan.preflight;

import dev.migrator.plan.model.Location;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Stores;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * This machine's clock against each HTTP endpoint's {@code Date} header (any answer carries one, an error
 * included). Signed requests (AWS SigV4, GCS signed URLs) are refused when the clocks differ by more than
 * {@link #LIMIT}: a FAIL; past {@link #WARN} it is worth fixing before it grows.
 */
final class ClockSkewCheck implements Check {
    static final Duration LIMIT = Duration.ofMinutes(15);
    static final Duration WARN = Duration.ofMinutes(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Override
    public String name() {
        return "clock";
    }

    @Override
    public void run(PreflightContext ctx, Consumer<Finding> out) {
        Map<URI, String> endpoints = new LinkedHashMap<>();
        for (Location l : ctx.locations(false)) {
            endpoint(l.uri()).ifPresent(e -> endpoints.putIfAbsent(e, l.name()));
        }
        ctx.stagingStores().values().forEach(u -> endpoint(u).ifPresent(e -> endpoints.putIfAbsent(e, "staging")));
        if (endpoints.isEmpty()) {
            return;
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
        endpoints.forEach((endpoint, name) -> out.accept(check(http, ctx, endpoint)));
    }

    private static Optional<URI> endpoint(String uri) {
        try {
            Stores.Parsed p = Stores.parse(uri);
            return p.factory().httpEndpoint(p.uri());
        } catch (MigratorException e) {
            return Optional.empty();
        }
    }

    private Finding check(HttpClient http, PreflightContext ctx, URI endpoint) {
        String subject = "endpoint " + endpoint.getScheme() + "://" + endpoint.getAuthority();
        Instant sent = ctx.clock().instant();
        HttpResponse<Void> response;
        try {
            response = http.send(HttpRequest.newBuilder(endpoint).timeout(TIMEOUT).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            return new Finding(name(), subject, Status.WARN, "no answer to compare clocks with (" + e.getMessage()
                    + "); the access check says whether the store is reachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Finding(name(), subject, Status.WARN, "interrupted before the clocks were compared");
        }
        Instant received = ctx.clock().instant();
        Optional<String> date = response.headers().firstValue("Date");
        if (date.isEmpty()) {
            return new Finding(name(), subject, Status.WARN, "the answer carries no Date header; compare the clocks by hand");
        }
        Instant server;
        try {
            server = ZonedDateTime.parse(date.get(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return new Finding(name(), subject, Status.WARN, "cannot read its Date header '" + date.get() + "'; compare the clocks by hand");
        }
        // The header has whole seconds and was written somewhere between sending and receiving.
        Instant local = sent.plus(Duration.between(sent, received).dividedBy(2));
        Duration skew = Duration.between(server, local);
        String said = "this machine's clock is " + words(skew) + " the server's";
        if (skew.abs().compareTo(LIMIT) > 0) {
            return new Finding(name(), subject, Status.FAIL, said + "; signed requests fail past 15 minutes: set the clock "
                    + "(timedatectl set-ntp true, or chronyc makestep) and run preflight again");
        }
        if (skew.abs().compareTo(WARN) > 0) {
            return new Finding(name(), subject, Status.WARN, said + "; synchronise it (timedatectl set-ntp true) before it reaches 15 minutes");
        }
        return new Finding(name(), subject, Status.OK, said);
    }

    private static String words(Duration skew) {
        long s = Math.abs(skew.toSeconds());
        if (s <= 1) {
            return "within a second of";
        }
        String amount = s < 120 ? s + " s" : s < 7200 ? s / 60 + " min" : s / 3600 + " h " + s % 3600 / 60 + " min";
        return amount + (skew.isNegative() ? " behind" : " ahead of");
    }
}
