package dev.migrator.provider.azure;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.models.Block;
import com.azure.storage.blob.models.AccessTier;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.models.BlockList;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobStageBlockOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import dev.migrator.provider.Checksums;
import dev.migrator.provider.Content;
import dev.migrator.provider.Digests;
import dev.migrator.provider.ErrorCode;
import dev.migrator.provider.MigratorException;
import dev.migrator.provider.ObjectInfo;
import dev.migrator.provider.ObjectMetadata;
import dev.migrator.provider.ParallelParts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One block-blob upload in staged blocks. The source is read once, sequentially, into block buffers; at
 * most {@code partConcurrency} buffers exist at a time (memory = partConcurrency x block size), and those
 * blocks are staged in parallel ({@link ParallelParts}), each with its Content-MD5, which Azure checks, and retried from its buffer.
 * The commit (Put Block List) stores the whole object's MD5, computed from the same bytes, and makes the
 * blob visible at once.
 *
 * <p><b>Resume.</b> A block's ID names its position and the MD5 of its bytes ({@code migrator-NNNNNN-MD5}).
 * Azure keeps the uncommitted blocks of a failed or killed upload (for a week) and lists them; the next put
 * of the same key lists them once and skips staging every block whose ID and size it finds, so only the
 * missing blocks are sent again. The ID carries the MD5 Azure verified when the block was staged, so a
 * reused block holds exactly the bytes it stands for. Nothing is deleted on failure: uncommitted blocks are
 * invisible to readers and listings and Azure discards them on its own.
 */
final class BlockUpload {
    /** Azure's limits: blocks per blob, and bytes per block (4000 MiB). */
    static final int MAX_BLOCKS = 50_000;
    static final long MAX_BLOCK_SIZE = 4000L * 1024 * 1024;

    private final AzureObjectStore store;
    private final String key;
    private final BlockBlobClient blob;
    private final Content content;
    private final ObjectMetadata metadata;
    private final Map<String, String> azureMetadata;
    private final Map<String, String> tags;
    private final AccessTier tier;
    private final String what;
    private final ParallelParts parts;

    BlockUpload(AzureObjectStore store, String key, BlockBlobClient blob, Content content, ObjectMetadata metadata,
            Map<String, String> azureMetadata, Map<String, String> tags, AccessTier tier) {
        this.store = store;
        this.key = key;
        this.blob = blob;
        this.content = content;
        this.metadata = metadata;
        this.azureMetadata = azureMetadata;
        this.tags = tags;
        this.tier = tier;
        this.what = "writing " + AzureErrors.quoted(key) + " in " + store.displayUri();
        this.parts = new ParallelParts(store.blockPool, store.options.partConcurrency(), what);
    }

    /** The block size: the part size, larger when the object would need more than {@link #MAX_BLOCKS} blocks. */
    static long blockSize(long partSize, long size) {
        long needed = (size + MAX_BLOCKS - 1) / MAX_BLOCKS;
        long block = Math.max(partSize, needed);
        if (block > MAX_BLOCK_SIZE) {
            throw MigratorException.badInput("an object of " + size + " bytes is larger than an Azure block blob can be"
                    + " (" + MAX_BLOCKS + " blocks of at most 4000 MiB)");
        }
        return block;
    }

    /** The block ID of block {@code index} with bytes of MD5 {@code md5}: every ID of a blob has the same length. */
    static String blockId(int index, byte[] md5) {
        return Base64.getEncoder().encodeToString(String.format("migrator-%06d-%s", index, Digests.hex(md5))
                .getBytes(StandardCharsets.US_ASCII));
    }

    ObjectInfo run() {
        long size = content.size();
        long blockSize = blockSize(store.options.partSize(), size);
        if (blockSize > Integer.MAX_VALUE - 16) {
            throw MigratorException.badInput("an object of " + size + " bytes needs blocks larger than 2 GiB, which this"
                    + " adapter does not buffer: split the object");
        }
        int blocks = (int) ((size + blockSize - 1) / blockSize);
        Map<String, Long> staged = stagedBlocks();
        MessageDigest whole = Digests.md5();
        List<String> ids = stageAll(blocks, size, (int) blockSize, staged, whole);
        byte[] md5 = whole.digest();
        BlockBlobItem item = store.call(key, () -> blob.commitBlockListWithResponse(new BlockBlobCommitBlockListOptions(ids)
                .setHeaders(AzureMetadata.headers(metadata, md5))
                .setMetadata(azureMetadata)
                .setTags(tags)
                .setTier(tier), null, Context.NONE).getValue());
        return new ObjectInfo(key, size, AzureObjectStore.instant(item.getLastModified()), item.getETag(),
                Checksums.md5(Digests.hex(md5)), metadata);
    }

    /** The uncommitted blocks an earlier attempt left, by ID; none when the blob has never been written. */
    private Map<String, Long> stagedBlocks() {
        Map<String, Long> found = new HashMap<>();
        try {
            BlockList list = blob.listBlocks(BlockListType.UNCOMMITTED);
            for (Block b : list.getUncommittedBlocks()) {
                found.put(b.getName(), b.getSizeLong());
            }
        } catch (BlobStorageException e) {
            if (e.getStatusCode() != 404) {
                throw store.errors.translate(e, key);
            }
            // 404: no blob and no blocks yet (a missing container fails the first stage with its own message).
        } catch (RuntimeException e) {
            throw store.errors.translate(e, key);
        }
        return found;
    }

    private List<String> stageAll(int blocks, long size, int blockSize, Map<String, Long> staged, MessageDigest whole) {
        String[] ids = new String[blocks];
        byte[][] md5s = new byte[blocks][];
        try (InputStream in = content.open()) {
            return parts.upload(in, size, blockSize, new ParallelParts.Parts<>() {
                @Override
                public String reuse(int index, byte[] buf) {
                    whole.update(buf);
                    md5s[index] = Digests.md5().digest(buf);
                    ids[index] = blockId(index, md5s[index]);
                    Long have = staged.get(ids[index]);
                    if (have != null && have == buf.length) {
                        store.blocksReused.incrementAndGet();
                        return ids[index];
                    }
                    return null;
                }

                @Override
                public String send(int index, byte[] buf) {
                    stage(index, ids[index], buf, md5s[index]);
                    return ids[index];
                }

                @Override
                public RuntimeException sizeMismatch(long yielded) {
                    return AzureObjectStore.sizeMismatch(key, size, yielded);
                }
            });
        } catch (IOException e) {
            throw AzureObjectStore.sourceFailed(key, e);
        }
    }

    private void stage(int index, String id, byte[] buf, byte[] md5) {
        String block = "staging block " + (index + 1) + " of " + AzureErrors.quoted(key) + " in " + store.displayUri();
        store.options.retry().call(block, () -> {
            if (parts.failed()) {
                // Another block failed for good: do not spend attempts on an upload that stops anyway.
                throw new MigratorException(ErrorCode.FAILED, block + ": stopped because another block failed");
            }
            store.call(key, () -> blob.stageBlockWithResponse(new BlockBlobStageBlockOptions(id, BinaryData.fromBytes(buf))
                    .setContentMd5(md5), null, Context.NONE));
            store.blocksStaged.incrementAndGet();
            return null;
        });
    }
}
