package io.ampd.config;

import io.ampd.core.AmpdException;

/** A configuration value that cannot be used; the message names key, value and rule. */
public final class ConfigException extends AmpdException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message, String hint) {
    super(message, hint);
  }
}
