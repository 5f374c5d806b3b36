package io.ampd.extract;

import java.util.List;

/** One block with its logs: the unit the fetcher hands to the segment writer, in block order. */
public record BlockData(EvmBlock block, List<EvmLog> logs) {}
