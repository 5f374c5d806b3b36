package io.ampd.extract;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.apache.parquet.bytes.ByteBufferAllocator;

/**
 * Heap buffers for the Parquet writers, reused: parquet-java asks for a buffer for every page slab
 * and page it holds and hands each back when done ({@link #release}); here a released buffer waits
 * for the next request of the same size instead of becoming garbage. The writers of a job keep
 * asking for the same sizes, segment after segment, so after the first segment they allocate almost
 * nothing; without this, a segment's buffers (tens of MiB) outlive several young collections, are
 * copied by each and promoted, and fill the old generation.
 *
 * <p>Not thread-safe: one pool per writing thread (the job's). At most {@link #MAX_POOLED_BYTES}
 * wait in the pool; beyond that a released buffer is left to the garbage collector.
 */
final class BufferPool implements ByteBufferAllocator {
  static final long MAX_POOLED_BYTES = 64L * 1024 * 1024;

  private final Map<Integer, ArrayDeque<ByteBuffer>> free = new HashMap<>();
  private final Map<TableSchema<?>, TableSchema.Columns> columns = new HashMap<>();
  private long pooled;

  /**
   * Column buffers for a file of {@code table}, empty: the ones a finished file of the same table
   * handed back ({@link #release(TableSchema, TableSchema.Columns)}) or new ones. Their arrays grow
   * to a page's size in the first file and are reused by every file after it.
   */
  TableSchema.Columns columns(TableSchema<?> table) {
    TableSchema.Columns c = columns.remove(table);
    if (c == null) {
      return new TableSchema.Columns(table);
    }
    c.clear();
    return c;
  }

  /** Hands back a file's column buffers; the file must not use them again. */
  void release(TableSchema<?> table, TableSchema.Columns c) {
    columns.put(table, c);
  }

  @Override
  public ByteBuffer allocate(int size) {
    ArrayDeque<ByteBuffer> buffers = free.get(size);
    ByteBuffer b = buffers == null ? null : buffers.poll();
    if (b == null) {
      return ByteBuffer.allocate(size);
    }
    pooled -= size;
    b.clear();
    b.order(ByteOrder.BIG_ENDIAN);
    return b;
  }

  @Override
  public void release(ByteBuffer b) {
    int size = b.capacity();
    if (b.isDirect() || pooled + size > MAX_POOLED_BYTES) {
      return;
    }
    pooled += size;
    free.computeIfAbsent(size, s -> new ArrayDeque<>()).push(b);
  }

  @Override
  public boolean isDirect() {
    return false;
  }
}
