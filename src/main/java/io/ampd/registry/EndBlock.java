package io.ampd.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.OptionalLong;

/**
 * Where a deployed job stops: Amp's {@code end_block} of a deploy ({@code
 * crates/core/datasets-common/src/end_block.rs} in Amp). In JSON a string or null:
 *
 * <ul>
 *   <li>{@code null} (or absent): continuous, the job follows the chain until stopped (or until the
 *       manifest's own {@code end_block});
 *   <li>{@code "latest"}: the chain's (confirmed) head when a run of the job starts;
 *   <li>{@code "N"}, N ≥ 0: block N;
 *   <li>{@code "-N"}: N blocks before the (confirmed) head when a run starts.
 * </ul>
 *
 * ampd also takes a JSON integer where Amp takes its digits as a string. With a manifest {@code
 * end_block} too, the job stops at the lower of the two.
 *
 * @param absolute the block, for {@code "N"}
 * @param behindHead blocks before the head, for {@code "latest"} (0) and {@code "-N"}
 */
public record EndBlock(OptionalLong absolute, OptionalLong behindHead) {
  /** Continuous: no end from the deploy. */
  public static final EndBlock CONTINUOUS =
      new EndBlock(OptionalLong.empty(), OptionalLong.empty());

  /** Whether the deploy gave no end. */
  public boolean continuous() {
    return absolute.isEmpty() && behindHead.isEmpty();
  }

  /**
   * Reads a deploy's {@code end_block}.
   *
   * @throws IllegalArgumentException naming the value and what is expected
   */
  public static EndBlock parse(JsonNode value) {
    if (value == null || value.isNull()) {
      return CONTINUOUS;
    }
    if (value.isIntegralNumber() && value.canConvertToLong()) {
      return of(value.asLong(), value.toString());
    }
    if (!value.isTextual()) {
      throw new IllegalArgumentException(
          "end_block is " + value + ", expected null, \"latest\" or an integer as a string");
    }
    String text = value.asText();
    if (text.equals("latest")) {
      return new EndBlock(OptionalLong.empty(), OptionalLong.of(0));
    }
    long n;
    try {
      n = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "invalid end block value: '" + text + "' (expected 'latest' or an integer)");
    }
    return of(n, text);
  }

  private static EndBlock of(long n, String text) {
    if (n == Long.MIN_VALUE) {
      throw new IllegalArgumentException("invalid end block value: '" + text + "'");
    }
    return n >= 0
        ? new EndBlock(OptionalLong.of(n), OptionalLong.empty())
        : new EndBlock(OptionalLong.empty(), OptionalLong.of(-n));
  }

  /** Amp's JSON form: null, {@code "latest"}, {@code "N"} or {@code "-N"}. */
  public String toJson() {
    if (absolute.isPresent()) {
      return Long.toString(absolute.getAsLong());
    }
    if (behindHead.isPresent()) {
      return behindHead.getAsLong() == 0 ? "latest" : "-" + behindHead.getAsLong();
    }
    return null;
  }

  /** The last block, given the confirmed head (only read for {@code "latest"} and {@code "-N"}). */
  public long resolve(long confirmedHead) {
    return absolute.isPresent() ? absolute.getAsLong() : confirmedHead - behindHead.getAsLong();
  }
}
