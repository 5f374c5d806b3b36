package io.ampd.extract;

import java.util.List;

/** One JSON-RPC call of a batch; params are strings, longs, booleans or maps of those. */
record RpcCall(String method, List<Object> params) {}
