package io.ampd.extract;

import com.github.luben.zstd.Zstd;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Zstandard page compression for the Parquet writer, straight on zstd-jni. parquet-java's own
 * {@code CodecFactory} builds a Hadoop {@code Configuration} for every compressed codec, which
 * would put Hadoop on the runtime classpath; this factory keeps it off. Level 1: the fastest level,
 * which already shrinks the numeric and address columns well (hashes do not compress at any level).
 */
final class ZstdCodecFactory implements CompressionCodecFactory {
  static final int LEVEL = 1;

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codec) {
    if (codec != CompressionCodecName.ZSTD) {
      throw new IllegalArgumentException("only ZSTD is supported, not " + codec);
    }
    return new BytesInputCompressor() {
      @Override
      public BytesInput compress(BytesInput bytes) throws java.io.IOException {
        return BytesInput.from(Zstd.compress(bytes.toByteArray(), LEVEL));
      }

      @Override
      public CompressionCodecName getCodecName() {
        return CompressionCodecName.ZSTD;
      }

      @Override
      public void release() {}
    };
  }

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
    throw new UnsupportedOperationException("the extractor only writes Parquet");
  }

  @Override
  public void release() {}
}
