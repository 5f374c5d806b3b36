package io.ampd.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code ampd --version}: the version Maven stamped into {@code ampd-version.properties}. */
public final class Version implements IVersionProvider {
  /** The ampd version, e.g. {@code 0.1.0}; read once (every {@code /healthz} answer has it). */
  public static String get() {
    return Stamped.VERSION;
  }

  private static final class Stamped {
    static final String VERSION = read();

    private static String read() {
      try (InputStream in = Version.class.getResourceAsStream("/io/ampd/ampd-version.properties")) {
        Properties props = new Properties();
        if (in != null) {
          props.load(in);
        }
        return props.getProperty("version", "unknown");
      } catch (IOException e) {
        return "unknown";
      }
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "ampd " + get(),
      "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
    };
  }
}
