package io.ampd.cli;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes what the release archive ships beside the program, from the command line's own model:
 * AsciiDoc man pages of {@code ampd} and each command (picocli's {@link ManPageGenerator}; the
 * build turns them into roff) and the bash completion script ({@link AutoComplete}, which zsh loads
 * too with {@code bashcompinit}). Run by the build: {@code ReleaseDocs <output dir>}.
 */
public final class ReleaseDocs {
  private ReleaseDocs() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    Files.createDirectories(out.resolve("man"));
    PrintWriter quiet = new PrintWriter(new StringWriter());
    CommandLine cli =
        Cli.create(
            new CliContext(new HostEnvironment(Map.of()), quiet, quiet), new RecordingRoles());
    int status =
        ManPageGenerator.generateManPage(
            out.resolve("man").toFile(), null, new boolean[0], true, cli.getCommandSpec());
    if (status != 0) {
      throw new IllegalStateException("man page generation failed with status " + status);
    }
    Files.writeString(
        out.resolve("ampd.bash"), AutoComplete.bash("ampd", cli), StandardCharsets.UTF_8);
    File[] pages = out.resolve("man").toFile().listFiles();
    System.out.println(
        "release docs: " + (pages == null ? 0 : pages.length) + " man pages, bash completion");
  }
}
