package io.ampd.extract;

/**
 * A log entry of a receipt.
 *
 * @param topics 0 to 4 topics of 32 bytes
 */
public record EvmLog(
    long blockNumber,
    byte[] blockHash,
    int transactionIndex,
    byte[] transactionHash,
    int logIndex,
    byte[] address,
    byte[][] topics,
    byte[] data) {}
