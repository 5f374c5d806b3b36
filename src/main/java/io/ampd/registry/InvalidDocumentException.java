package io.ampd.registry;

import io.ampd.core.AmpdException;

/**
 * A provider, manifest or dataset registration that does not validate. The message reads {@code
 * <document> field '<field>' <problem>}, e.g. {@code manifest field 'start_block' is -1, expected 0
 * or more}: it names the field, the value and the rule, and never a credential (URLs are quoted
 * redacted). The admin API answers it with 400; a file loader prefixes the file name.
 */
public final class InvalidDocumentException extends AmpdException {
  private static final long serialVersionUID = 1L;

  private final String field;

  InvalidDocumentException(String document, String field, String problem, String hint) {
    super(document + " field '" + field + "' " + problem, hint);
    this.field = field;
  }

  InvalidDocumentException(String message, String hint) {
    super(message, hint);
    this.field = "";
  }

  /** The dotted path of the offending field ({@code manifest.start_block}); empty for the whole. */
  public String field() {
    return field;
  }
}
