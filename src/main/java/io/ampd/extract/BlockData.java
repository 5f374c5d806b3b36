package io.ampd.extract;

import java.util.List;

/**
 * One block with its receipts and logs: the unit the fetcher hands to the segment writer, in block
 * order. The receipts, when fetched, are the block's transactions' in order (checked, see {@link
 * Receipts}); the logs are theirs, in order.
 */
public record BlockData(EvmBlock block, List<EvmReceipt> receipts, List<EvmLog> logs) {}
