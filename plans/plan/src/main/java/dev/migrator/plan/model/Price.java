package dev.migrator.plan.model;

import dev.migrator.provider.MigratorException;
import dev.migrator.provider.Stores;
import java.net.URI;
import java.util.Locale;

/**
 * What reading data out of a location costs, in US dollars: per GB (10^9 bytes) leaving it for the
 * internet, and per 1,000 GET and LIST requests. A location without a {@code price} in the plan gets its
 * provider's list price ({@link #AWS_S3}, {@link #GCS}) or, self-hosted, {@link #FREE}.
 *
 * @param egressPerGb  dollars per GB out
 * @param getPer1000   dollars per 1,000 GET requests
 * @param listPer1000  dollars per 1,000 LIST requests
 * @param source       where the numbers come from, for the report
 */
public record Price(double egressPerGb, double getPer1000, double listPer1000, String source) {
    /** The date the list prices below were read; update them (and docs/plan-format.md) together. */
    public static final String LIST_PRICES_AS_OF = "2025-06-01";
    /** AWS S3 Standard, us-east-1: data out to the internet (first 10 TB a month), GET and LIST. */
    public static final Price AWS_S3 = new Price(0.09, 0.0004, 0.005, "AWS S3 list price of " + LIST_PRICES_AS_OF);
    /** Google Cloud Storage Standard: Premium-tier egress to the internet (first TB), Class B (GET) and Class A (LIST). */
    public static final Price GCS = new Price(0.12, 0.0004, 0.005, "GCS list price of " + LIST_PRICES_AS_OF);
    /** A self-hosted store or a database: no bill unless the plan declares one. */
    public static final Price FREE = new Price(0, 0, 0, "self-hosted");

    public boolean free() {
        return egressPerGb == 0 && getPer1000 == 0 && listPer1000 == 0;
    }

    /** The list price for {@code uri}: by where its requests go (AWS S3 or Google's own endpoint), else free. */
    public static Price defaultFor(String uri) {
        try {
            Stores.Parsed p = Stores.parse(uri);
            String host = p.factory().httpEndpoint(p.uri()).map(URI::getHost).orElse("").toLowerCase(Locale.ROOT);
            if (host.equals("amazonaws.com") || host.endsWith(".amazonaws.com")) {
                return AWS_S3;
            }
            if (host.equals("storage.googleapis.com")) {
                return GCS;
            }
        } catch (MigratorException e) {
            // the parser reports a bad URI where it is declared
        }
        return FREE;
    }

    /** This price with the plan's overrides ({@code NaN}: keep this one's). */
    public Price with(double egress, double get, double list) {
        return new Price(Double.isNaN(egress) ? egressPerGb : egress, Double.isNaN(get) ? getPer1000 : get,
                Double.isNaN(list) ? listPer1000 : list, "the plan");
    }
}
