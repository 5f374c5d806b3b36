package io.ampd.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Facts about this process and machine that decide how PostgreSQL is run: the OS (socket path
 * limit, bundled archive name, {@code /proc}), the CPU, the effective user id (root must hand
 * PostgreSQL to another user) and the temp dir (socket fallback). Only the composition root (and
 * tests) call {@link #current()}; everything else receives a {@code Host}.
 *
 * @param os {@code linux}, {@code darwin} or another lower-case name
 * @param arch {@code x86_64}, {@code arm_64} or the JVM's own name
 * @param euid effective user id of this process
 * @param tmpDir {@code java.io.tmpdir}
 */
public record Host(String os, String arch, int euid, Path tmpDir) {

  /** This JVM's host. */
  public static Host current() {
    return new Host(
        osName(System.getProperty("os.name", "")),
        archName(System.getProperty("os.arch", "")),
        currentEuid(),
        Path.of(System.getProperty("java.io.tmpdir", "/tmp")));
  }

  public boolean isLinux() {
    return os.equals("linux");
  }

  public boolean isMac() {
    return os.equals("darwin");
  }

  public boolean isRoot() {
    return euid == 0;
  }

  /** Longest Unix socket path the OS accepts, in bytes (sun_path minus the NUL). */
  public int maxSocketPathBytes() {
    return isMac() ? 103 : 107;
  }

  static String osName(String osName) {
    String os = osName.toLowerCase(Locale.ROOT);
    if (os.startsWith("linux")) {
      return "linux";
    }
    if (os.startsWith("mac") || os.startsWith("darwin")) {
      return "darwin";
    }
    return os.replace(' ', '_');
  }

  static String archName(String osArch) {
    switch (osArch.toLowerCase(Locale.ROOT)) {
      case "amd64":
      case "x86_64":
        return "x86_64";
      case "aarch64":
      case "arm64":
        return "arm_64";
      default:
        return osArch.toLowerCase(Locale.ROOT);
    }
  }

  private static int currentEuid() {
    try {
      // /proc/self is owned by the effective uid.
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return idU();
    }
  }

  private static int idU() {
    try {
      Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      return Integer.parseInt(out);
    } catch (IOException | NumberFormatException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
