package io.ampd.registry;

import java.util.regex.Pattern;

/**
 * The shapes of names. Provider names and networks start with a letter; dataset namespaces, names
 * and versions start with a letter or digit (so {@code 1.0.0} is a version). All hold only ASCII
 * letters, digits, {@code _ - .} and are at most 64 characters: they appear in paths ({@code
 * data_dir/<namespace>/<name>/…}) and in URL path segments, so no {@code /}, no {@code +} (a space
 * in a decoded path), and never {@code .} or {@code ..} alone.
 */
final class Names {
  private Names() {}

  static final int MAX_LENGTH = 64;

  static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");
  static final String IDENTIFIER_RULE =
      "expected a letter, then letters, digits, _ - . (at most 64 characters)";

  static final Pattern DATASET_PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  /** A namespace is a dataset part, or {@code _}: Amp's global namespace, of names without one. */
  static final Pattern NAMESPACE = Pattern.compile("_|[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  static final String NAMESPACE_RULE =
      "expected _ (the global namespace), or a letter or digit, then letters, digits, _ - . (at"
          + " most 64 characters)";
  static final String DATASET_PART_RULE =
      "expected a letter or digit, then letters, digits, _ - . (at most 64 characters)";
}
