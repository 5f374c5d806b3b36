package io.ampd.extract;

import java.util.List;

/**
 * A block as extracted: the fields of {@code eth_getBlockByNumber}, decoded. Hashes are 32 bytes,
 * addresses 20, amounts decimal(38,0) as 16 big-endian bytes; numbers are validated to fit their
 * column (see {@code TABLES.md}).
 *
 * @param baseFeePerGas null before London
 * @param transactions full transactions, or empty when the transactions table is not extracted
 */
public record EvmBlock(
    long number,
    byte[] hash,
    byte[] parentHash,
    long timestamp,
    byte[] miner,
    byte[] stateRoot,
    byte[] transactionsRoot,
    byte[] receiptsRoot,
    long gasUsed,
    long gasLimit,
    byte[] baseFeePerGas,
    byte[] difficulty,
    long size,
    byte[] extraData,
    int transactionCount,
    List<EvmTransaction> transactions) {}
