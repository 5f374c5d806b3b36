package io.ampd.registry;

import java.util.regex.Pattern;

/** Worker node ids: a letter, then letters, digits, {@code _}, {@code -} and {@code .}. */
public final class NodeId {
  /** The rule, also enforced by the {@code workers} table. */
  public static final Pattern FORMAT = Pattern.compile("^[A-Za-z][A-Za-z0-9_.-]*$");

  /** Longest id accepted (it names log lines, lock keys and API paths). */
  public static final int MAX_LENGTH = 63;

  private NodeId() {}

  /**
   * Returns {@code id} if valid.
   *
   * @throws IllegalArgumentException naming the value and the rule
   */
  public static String validate(String id) {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("worker node id is empty");
    }
    if (id.length() > MAX_LENGTH || !FORMAT.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "invalid worker node id '"
              + id
              + "': it must start with a letter and contain only"
              + " letters, digits, '_', '-' and '.' (at most "
              + MAX_LENGTH
              + " characters)");
    }
    return id;
  }
}
