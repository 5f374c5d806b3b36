package io.ampd.extract;

import java.math.BigInteger;

/**
 * A transaction of a block, as {@code eth_getBlockByNumber(n, true)} gives it.
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
    BigInteger value,
    long gas,
    BigInteger gasPrice,
    BigInteger maxFeePerGas,
    BigInteger maxPriorityFeePerGas,
    byte[] input,
    int type) {}
