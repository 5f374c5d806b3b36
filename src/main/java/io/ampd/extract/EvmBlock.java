package io.ampd.extract;

import java.util.List;

/**
 * A block as extracted: the fields of {@code eth_getBlockByNumber}, decoded. Hashes are 32 bytes,
 * addresses 20, amounts decimal(38,0) as 16 big-endian bytes; numbers are validated to fit their
 * column (see {@code TABLES.md}). Fields a node gives only after some fork are null before it.
 *
 * @param ommersHash {@code sha3Uncles}
 * @param totalDifficulty null when the node gives none (after the Merge, most do not)
 * @param mixHash 32 zero bytes when the node gives none (as Amp)
 * @param nonce the 8 bytes of the proof-of-work nonce as an unsigned 64-bit value; 0 when absent
 * @param baseFeePerGas null before London
 * @param withdrawalsRoot null before Shanghai
 * @param blobGasUsed null before Cancun
 * @param excessBlobGas null before Cancun
 * @param parentBeaconRoot {@code parentBeaconBlockRoot}, null before Cancun
 * @param requestsHash null before Prague
 * @param transactionHashes the hashes of the block's transactions, in order (always read: the
 *     receipts are checked against them)
 * @param transactions full transactions, or empty when the transactions table is not extracted
 */
public record EvmBlock(
    long number,
    byte[] hash,
    byte[] parentHash,
    long timestamp,
    byte[] ommersHash,
    byte[] miner,
    byte[] stateRoot,
    byte[] transactionsRoot,
    byte[] receiptsRoot,
    byte[] logsBloom,
    byte[] difficulty,
    byte[] totalDifficulty,
    long gasLimit,
    long gasUsed,
    byte[] extraData,
    byte[] mixHash,
    long nonce,
    byte[] baseFeePerGas,
    byte[] withdrawalsRoot,
    Long blobGasUsed,
    Long excessBlobGas,
    byte[] parentBeaconRoot,
    byte[] requestsHash,
    long size,
    int transactionCount,
    byte[][] transactionHashes,
    List<EvmTransaction> transactions) {}
