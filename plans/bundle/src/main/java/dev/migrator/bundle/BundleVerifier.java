package dev.migrator.bundle;

import static dev.migrator.bundle.BundleArchive.hash;
import static dev.migrator.bundle.BundleArchive.requireRegular;
import static dev.migrator.bundle.BundleArchive.skipEntries;

import dev.migrator.bundle.BundleArchive.Hashed;
import dev.migrator.bundle.BundleArchive.HashingStream;
import dev.migrator.bundle.BundleArchive.Report;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectStore;
import dev.migrator.transfer.Progress;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * {@code bundle verify}: reads every part and checks every checksum, reporting each damaged file or
 * entry instead of stopping at the first. Applies the manifest checks restore applies
 * ({@link BundleArchive#checkManifest}), so that "intact" means restore takes every entry.
 */
final class BundleVerifier {
    private final BundleArchive archive;
    private final ObjectStore bundle;

    BundleVerifier(BundleArchive archive) {
        this.archive = archive;
        this.bundle = archive.store();
    }

    /**
     * Reads every part and checks every checksum: {@code SHA256SUMS} against the manifest and the parts,
     * each part's size and SHA-256, each entry's name, size and SHA-256. Never throws for damage: every
     * damaged file or entry is in the report.
     */
    BundleCheck verify(Progress progress) {
        long start = System.nanoTime();
        Report report = new Report();
        Map<String, String> sums = archive.readSums(report);
        String manifestSha = archive.sha256Of(BundleLayout.MANIFEST, report);
        if (sums != null && manifestSha != null && !manifestSha.equals(sums.get(BundleLayout.MANIFEST))) {
            report.add(BundleLayout.MANIFEST, "SHA-256 is " + manifestSha + " but " + BundleLayout.SUMS + " says "
                    + sums.get(BundleLayout.MANIFEST) + ": the manifest (or " + BundleLayout.SUMS + ") is damaged");
        }
        ManifestReader manifest = null;
        try {
            manifest = new ManifestReader(bundle);
        } catch (MigratorException e) {
            if (manifestSha != null) {
                report.add(BundleLayout.MANIFEST, "unreadable: " + e.getMessage());
            }
        }
        int parts = 0;
        try {
            List<Manifest.Part> list;
            if (manifest != null) {
                archive.requireKey(manifest.header());
                // What restore would refuse, so that "intact" means restore takes every entry.
                archive.checkManifest(manifest.header(), problem -> report.add(BundleLayout.MANIFEST, problem.getMessage()));
                list = manifest.header().parts();
                if (sums != null) {
                    for (Manifest.Part p : list) {
                        if (!sums.containsKey(p.name())) {
                            report.add(p.name(), "not listed in " + BundleLayout.SUMS);
                        } else if (!sums.get(p.name()).equals(p.sha256())) {
                            report.add(p.name(), "the manifest and " + BundleLayout.SUMS + " disagree on its SHA-256");
                        }
                    }
                }
                manifest.header().parts().forEach(p -> progress.listed(new ObjectInfo(p.name(), p.size(), null, null, null, null)));
            } else if (sums != null) {
                // Without a readable manifest the parts can still be checked against SHA256SUMS.
                list = sums.entrySet().stream().filter(e -> !e.getKey().equals(BundleLayout.MANIFEST))
                        .map(e -> new Manifest.Part(e.getKey(), null, -1, e.getValue(), -1,
                                e.getKey().endsWith(BundleLayout.ENCRYPTED_SUFFIX))).toList();
            } else {
                list = List.of();
            }
            progress.listingDone();
            boolean manifestInSync = manifest != null;
            for (Manifest.Part part : list) {
                parts++;
                manifestInSync = checkPart(part, manifestInSync ? manifest : null, sums, report, progress) && manifestInSync;
            }
        } finally {
            if (manifest != null) {
                manifest.close();
            }
        }
        return new BundleCheck(parts, report.entries, report.bytes, report.count, report.list, (System.nanoTime() - start) / 1e9);
    }

    /** Checks one part; returns whether the manifest cursor is still in step with the parts. */
    private boolean checkPart(Manifest.Part part, ManifestReader manifest, Map<String, String> sums, Report report, Progress progress) {
        ObjectInfo asListed = new ObjectInfo(part.name(), Math.max(0, part.size()), null, null, null, null);
        long expected = manifest == null ? 0 : part.entries();
        long seen = 0;
        boolean inSync = true;
        HashingStream raw;
        try {
            raw = new HashingStream(bundle.open(part.name(), 0, -1));
        } catch (MigratorException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
            report.add(part.name(), "missing: the part is not in the bundle (" + Math.max(0, part.entries()) + " entries are lost with it)");
            progress.finished(asListed, Progress.Outcome.FAILED);
            return skipEntries(manifest, expected, report);
        }
        boolean good = true;
        boolean stopped = false; // an entry larger than the manifest says: the rest of the part is not expanded
        String current = null;
        try (raw; ZstdCompressorInputStream zstd = new ZstdCompressorInputStream(archive.plain(part, raw));
             TarArchiveInputStream tar = new TarArchiveInputStream(zstd, StandardCharsets.UTF_8.name())) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                try {
                    requireRegular(e, part.name());
                } catch (MigratorException refused) {
                    report.add(part.name(), refused.getMessage());
                    good = false;
                }
                Manifest.Entry m = null;
                if (manifest != null) {
                    if (seen >= expected) {
                        report.add(part.name(), "holds more entries than the manifest lists (" + expected + "), e.g. '" + e.getName() + "'");
                        good = false;
                        break;
                    }
                    try {
                        m = manifest.next();
                    } catch (IOException bad) {
                        report.add(BundleLayout.MANIFEST, "unreadable: " + bad.getMessage());
                        inSync = false;
                        manifest = null;
                    }
                    seen++;
                }
                current = m == null ? e.getName() : m.key();
                if (m != null && e.getSize() != m.size()) {
                    // Read no further than declared: an entry that expands beyond it is damage (or a decompression bomb).
                    report.add(part.name() + ": " + m.key(), "damaged: the archive holds " + e.getSize() + " bytes where the manifest says "
                            + m.size() + "; the rest of the part was not read");
                    good = false;
                    stopped = true;
                    break;
                }
                Hashed h = hash(tar, null, e.getSize());
                if (m == null || !m.isPiece() || m.piece().equals(m.pieces())) {
                    report.entries++; // objects, not pieces
                }
                report.bytes += h.size();
                progress.transferred(h.size());
                if (m == null) {
                    continue;
                }
                if (!e.getName().equals(m.path())) {
                    report.add(part.name() + ": " + m.key(), "the archive has '" + e.getName() + "' where the manifest lists '" + m.path() + "'");
                    good = false;
                } else if (h.size() != m.size() || !h.sha256().equals(m.sha256())) {
                    report.add(part.name() + ": " + m.key(), "damaged: " + h.size() + " bytes with SHA-256 " + h.sha256()
                            + ", the manifest says " + m.size() + " bytes, " + m.sha256());
                    good = false;
                }
            }
            if (manifest != null && seen < expected) {
                if (!stopped) {
                    report.add(part.name(), (expected - seen) + " entries listed in the manifest are not in the archive");
                    good = false;
                }
                inSync = skipEntries(manifest, expected - seen, report);
            }
            if (!stopped) {
                zstd.transferTo(OutputStream.nullOutputStream()); // the frame's own checksum is checked at its end
            }
            raw.transferTo(OutputStream.nullOutputStream()); // the stored bytes, for the part's SHA-256
        } catch (IOException | RuntimeException e) {
            report.add(part.name(), "unreadable after " + raw.count + " bytes" + (current == null ? "" : " (in or after '" + current + "')")
                    + ": " + e.getMessage() + " (truncated or corrupt)");
            good = false;
            if (manifest != null && seen < expected) {
                inSync = skipEntries(manifest, expected - seen, report) && inSync;
            }
        }
        String sha = raw.digest();
        if (part.size() >= 0 && raw.count != part.size()) {
            report.add(part.name(), "is " + raw.count + " bytes, the manifest says " + part.size() + (raw.count < part.size() ? " (truncated)" : ""));
            good = false;
        } else if (!sha.equals(part.sha256()) || (sums != null && sums.containsKey(part.name()) && !sha.equals(sums.get(part.name())))) {
            report.add(part.name(), "SHA-256 is " + sha + ", expected " + part.sha256());
            good = false;
        }
        progress.finished(asListed, good ? Progress.Outcome.COPIED : Progress.Outcome.FAILED);
        return inSync;
    }
}
