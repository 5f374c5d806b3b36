package io.ampd.extract;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Zstandard page compression for the Parquet writer, straight on zstd-jni. parquet-java's own
 * {@code CodecFactory} builds a Hadoop {@code Configuration} for every compressed codec, which
 * would put Hadoop on the runtime classpath; this factory keeps it off. Level 1: the fastest level,
 * which already shrinks the numeric and address columns well (hashes do not compress at any level).
 *
 * <p>A compressor keeps one native compression context and one output buffer for all the pages it
 * compresses, and reads a page that is one byte array in place: per page, no context is created and
 * freed and no page-sized array is allocated. So the {@link BytesInput} it returns is valid until
 * its next {@code compress}: parquet-java's page writer copies it (and checksums it) before it
 * returns. One compressor per file, used by the file's writing thread only; {@code release()} frees
 * the native context (a later {@code compress} makes a new one).
 */
final class ZstdCodecFactory implements CompressionCodecFactory {
  static final int LEVEL = 1;

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codec) {
    if (codec != CompressionCodecName.ZSTD) {
      throw new IllegalArgumentException("only ZSTD is supported, not " + codec);
    }
    return new Compressor();
  }

  private static final class Compressor implements BytesInputCompressor {
    private ZstdCompressCtx ctx;
    private byte[] out = new byte[0];

    @Override
    public BytesInput compress(BytesInput bytes) throws IOException {
      if (ctx == null) {
        ctx = new ZstdCompressCtx();
        ctx.setLevel(LEVEL);
      }
      ByteBuffer in = bytes.toByteBuffer();
      byte[] src;
      int offset;
      int length;
      if (in.hasArray()) {
        src = in.array();
        offset = in.arrayOffset() + in.position();
        length = in.remaining();
      } else {
        src = bytes.toByteArray();
        offset = 0;
        length = src.length;
      }
      int bound = (int) Zstd.compressBound(length);
      if (out.length < bound) {
        out = new byte[bound];
      }
      int n = ctx.compressByteArray(out, 0, out.length, src, offset, length);
      return BytesInput.from(out, 0, n);
    }

    @Override
    public CompressionCodecName getCodecName() {
      return CompressionCodecName.ZSTD;
    }

    @Override
    public void release() {
      if (ctx != null) {
        ctx.close();
        ctx = null;
      }
    }
  }

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
    throw new UnsupportedOperationException("the extractor only writes Parquet");
  }

  @Override
  public void release() {}
}
