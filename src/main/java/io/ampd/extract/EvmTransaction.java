package io.ampd.extract;

import java.util.List;

/**
 * A transaction of a block, as {@code eth_getBlockByNumber(n, true)} gives it. Amounts of wei are
 * decimal(38,0) as 16 big-endian bytes; {@code r} and {@code s} 32 bytes (left-padded).
 *
 * @param to null for a contract creation
 * @param gas the gas limit
 * @param gasPrice null when the node gives none
 * @param maxFeePerGas null for transactions before EIP-1559 (type 0 and 1)
 * @param maxPriorityFeePerGas null for transactions before EIP-1559
 * @param maxFeePerBlobGas null but for blob transactions (type 3)
 * @param v the signature's {@code v} as the node gives it ({@code yParity} when it gives only that,
 *     0 when neither)
 * @param vParity the y parity of the signature: {@code yParity}, or derived from a legacy {@code v}
 * @param chainId null for a legacy transaction without EIP-155 replay protection
 * @param accessList null for legacy transactions
 * @param blobVersionedHashes null but for blob transactions
 * @param authorizationList null but for set-code transactions (type 4)
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
    byte[] maxFeePerBlobGas,
    byte[] input,
    int type,
    long v,
    byte[] r,
    byte[] s,
    boolean vParity,
    Long chainId,
    List<AccessListEntry> accessList,
    byte[][] blobVersionedHashes,
    List<Authorization> authorizationList) {

  /** An entry of an access list (EIP-2930): an address and its storage keys. */
  public record AccessListEntry(byte[] address, byte[][] storageKeys) {}

  /**
   * An authorization of a set-code transaction (EIP-7702). {@code chainId} and {@code nonce} are
   * unsigned 64-bit values (a chain id above 2^64 - 1 is 0, as Amp writes it).
   */
  public record Authorization(
      long chainId, byte[] address, long nonce, boolean yParity, byte[] r, byte[] s) {}
}
