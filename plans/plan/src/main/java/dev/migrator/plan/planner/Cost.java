package dev.migrator.plan.planner;

import dev.migrator.plan.model.Location;
import dev.migrator.plan.model.Move;
import dev.migrator.plan.model.Plan;
import dev.migrator.plan.model.Price;
import dev.migrator.provider.Sizes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What an exit costs at its sources before it starts: bytes out (egress) and requests, at each source's
 * {@link Price}. The model follows the plan's steps: an object move reads every object once in the pre-copy
 * and its {@code delta} share again at the cut-over (one GET each), and lists the source three times (pre-copy,
 * delta, verify; 1,000 keys a page); a database move reads the database once. Targets are not billed here.
 *
 * @param lines one per source, in plan order
 */
public record Cost(List<Line> lines) {
    static final int PAGE = 1000;

    /**
     * One source.
     *
     * @param source the location's name
     * @param bytes  bytes read out of it
     * @param gets   GET requests
     * @param lists  LIST requests
     * @param price  its price
     */
    public record Line(String source, long bytes, long gets, long lists, Price price) {
        public double egressDollars() {
            return bytes / 1e9 * price.egressPerGb();
        }

        public double getDollars() {
            return gets / 1000.0 * price.getPer1000();
        }

        public double listDollars() {
            return lists / 1000.0 * price.listPer1000();
        }

        public double dollars() {
            return egressDollars() + getDollars() + listDollars();
        }

        /** e.g. {@code media: 1.8 TiB egress ≈ $178 at $0.09/GB, 2.4 M GET ≈ $0.96, 7.2 k LIST ≈ $0.04 (AWS S3 list price of ...)}. */
        public String text() {
            if (price.free()) {
                return source + ": " + Sizes.format(bytes) + " out of a self-hosted source ≈ $0 (give the source a 'price' if it bills egress)";
            }
            StringBuilder b = new StringBuilder(source).append(": ").append(Sizes.format(bytes)).append(" egress ≈ ")
                    .append(Cost.dollars(egressDollars())).append(" at $").append(plain(price.egressPerGb())).append("/GB");
            if (gets > 0) {
                b.append(", ").append(count(gets)).append(" GET ≈ ").append(Cost.dollars(getDollars()));
            }
            if (lists > 0) {
                b.append(", ").append(count(lists)).append(" LIST ≈ ").append(Cost.dollars(listDollars()));
            }
            return b.append(" (").append(price.source()).append(')').toString();
        }
    }

    public double total() {
        return lines.stream().mapToDouble(Line::dollars).sum();
    }

    /** The whole estimate as text lines, the total last. */
    public String text() {
        StringBuilder b = new StringBuilder();
        lines.forEach(l -> b.append("  ").append(l.text()).append('\n'));
        b.append("  Total: ≈ ").append(dollars(total())).append('\n');
        return b.toString();
    }

    public static Cost of(Plan plan, Map<String, Inventory> inventory) {
        Map<String, long[]> bySource = new LinkedHashMap<>();
        for (Move m : plan.moves()) {
            Inventory inv = inventory.get(m.name());
            if (inv == null) {
                continue;
            }
            long[] t = bySource.computeIfAbsent(m.from(), k -> new long[3]);
            if (plan.location(m.from()).database()) {
                t[0] += inv.bytes();
            } else {
                t[0] += inv.bytes() + Math.round(inv.bytes() * m.delta());
                t[1] += inv.objects() + Math.round(inv.objects() * m.delta());
                t[2] += 3 * Math.max(1, (inv.objects() + PAGE - 1) / PAGE);
            }
        }
        List<Line> lines = new ArrayList<>();
        bySource.forEach((name, t) -> {
            Location l = plan.location(name);
            lines.add(new Line(name, t[0], t[1], t[2], l.price() == null ? Price.FREE : l.price()));
        });
        return new Cost(lines);
    }

    /** {@code $0.96}, {@code $178}, {@code $12,345}: cents only where they matter. */
    public static String dollars(double d) {
        return d < 10 ? String.format(Locale.ROOT, "$%.2f", d) : String.format(Locale.ROOT, "$%,.0f", d);
    }

    private static String plain(double d) {
        return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    /** {@code 950}, {@code 7.2 k}, {@code 2.4 M}. */
    static String count(long n) {
        if (n < 1000) {
            return Long.toString(n);
        }
        if (n < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f k", n / 1e3);
        }
        return n < 1_000_000_000 ? String.format(Locale.ROOT, "%.1f M", n / 1e6) : String.format(Locale.ROOT, "%.1f G", n / 1e9);
    }
}
