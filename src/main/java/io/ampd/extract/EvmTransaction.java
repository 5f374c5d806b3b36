package io.ampd.extract;

/**
 * A transaction of a block, as {@code eth_getBlockByNumber(n, true)} gives it. Amounts of wei are
 * decimal(38,0) as 16 big-endian bytes.
 *
 * @param to null for a contract creation
 * @param gasPrice null when the node gives none
 * @param maxFeePerGas null for transactions before EIP-1559 (type 0 and 1)
 * @param maxPriorityFeePerGas null for transactions before EIP-1559
 */
public record EvmTransaction(
    int index,
    byte[] hash,
    byte[] from,
    byte[] to,
    long nonce,
    byte[] value,
    long gas,
    byte[] gasPrice,
    byte[] maxFeePerGas,
    byte[] maxPriorityFeePerGas,
    byte[] input,
    int type) {}
