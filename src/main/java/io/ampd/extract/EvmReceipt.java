package io.ampd.extract;

import java.util.List;

/**
 * A transaction's receipt, as {@code eth_getBlockReceipts} or {@code eth_getTransactionReceipt}
 * gives it.
 *
 * @param status true if the transaction succeeded; before Byzantium (receipts with a {@code root}
 *     and no {@code status}) true, as Amp writes it
 * @param root the post-transaction state root of receipts before Byzantium; null after
 * @param effectiveGasPrice wei per gas paid; null when the node gives none
 * @param contractAddress the contract created, or null
 * @param blobGasUsed null but for blob transactions
 * @param blobGasPrice null but for blob transactions
 * @param logs the transaction's logs, in order
 */
public record EvmReceipt(
    int transactionIndex,
    byte[] transactionHash,
    long blockNumber,
    byte[] blockHash,
    boolean status,
    byte[] root,
    long gasUsed,
    long cumulativeGasUsed,
    byte[] effectiveGasPrice,
    byte[] contractAddress,
    Long blobGasUsed,
    byte[] blobGasPrice,
    List<EvmLog> logs) {}
