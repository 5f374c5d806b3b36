package io.ampd.controller;

import io.ampd.controller.http.ApiException;
import io.ampd.metadb.DatasetVersion;
import io.ampd.registry.DatasetRegistration;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Amp's revision words in {@code /datasets/{namespace}/{name}/versions/{revision}/…}: a version, a
 * manifest hash, {@code latest} or {@code dev}.
 *
 * <ul>
 *   <li>a registered version's exact name: that version (so a version that is itself named {@code
 *       latest} or {@code dev} keeps its name);
 *   <li>{@code latest}: the highest semantic version (semver precedence, as Amp); when no version
 *       is a semantic version, the one registered last;
 *   <li>{@code dev}: the version registered last (ampd has no untagged registrations; Amp's {@code
 *       dev} is the manifest linked last);
 *   <li>a manifest hash (64 hex digits): the version registered last with that manifest.
 * </ul>
 */
final class Revisions {
  static final String LATEST = "latest";
  static final String DEV = "dev";

  /** Amp's code for a path that does not parse. */
  static final String INVALID_PATH = "INVALID_PATH";

  /** Amp's code for a dataset or revision that does not exist. */
  static final String DATASET_NOT_FOUND = "DATASET_NOT_FOUND";

  private static final Pattern HASH = Pattern.compile("[0-9a-fA-F]{64}");

  // semver.org's grammar: major.minor.patch[-prerelease][+build]
  private static final Pattern SEMVER =
      Pattern.compile(
          "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
              + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)"
              + "(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
              + "(?:\\+[0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*)?");

  private Revisions() {}

  /** 400 {@code INVALID_PATH} unless namespace and name are valid (and the revision, if given). */
  static void checkPath(String namespace, String name, String revision) {
    if (!DatasetRegistration.isValidNamespace(namespace)) {
      throw ApiException.badRequest(
          INVALID_PATH, "invalid path parameters: namespace '" + namespace + "' is not valid");
    }
    if (!DatasetRegistration.isValidPart(name)) {
      throw ApiException.badRequest(
          INVALID_PATH, "invalid path parameters: name '" + name + "' is not valid");
    }
    if (revision != null
        && !DatasetRegistration.isValidPart(revision)
        && !HASH.matcher(revision).matches()) {
      throw ApiException.badRequest(
          INVALID_PATH,
          "invalid path parameters: revision '"
              + revision
              + "' is not a version, a manifest hash, 'latest' or 'dev'");
    }
  }

  /** The version {@code revision} names among {@code versions} (in registration order). */
  static Optional<DatasetVersion> resolve(List<DatasetVersion> versions, String revision) {
    for (DatasetVersion v : versions) {
      if (v.ref().version().equals(revision)) {
        return Optional.of(v);
      }
    }
    if (versions.isEmpty()) {
      return Optional.empty();
    }
    if (revision.equals(DEV)) {
      return Optional.of(versions.get(versions.size() - 1));
    }
    if (revision.equals(LATEST)) {
      return Optional.of(latest(versions));
    }
    if (HASH.matcher(revision).matches()) {
      for (int i = versions.size() - 1; i >= 0; i--) {
        if (versions.get(i).manifestHash().equalsIgnoreCase(revision)) {
          return Optional.of(versions.get(i));
        }
      }
    }
    return Optional.empty();
  }

  /** The highest semantic version, or the last registered when none is one; needs a version. */
  static DatasetVersion latest(List<DatasetVersion> versions) {
    DatasetVersion best = null;
    for (DatasetVersion v : versions) {
      if (isSemver(v.ref().version())
          && (best == null || compare(v.ref().version(), best.ref().version()) >= 0)) {
        best = v;
      }
    }
    return best != null ? best : versions.get(versions.size() - 1);
  }

  static boolean isSemver(String version) {
    return SEMVER.matcher(version).matches();
  }

  /** Semver precedence of two semantic versions (build metadata ignored). */
  static int compare(String a, String b) {
    Matcher x = SEMVER.matcher(a);
    Matcher y = SEMVER.matcher(b);
    if (!x.matches() || !y.matches()) {
      throw new IllegalArgumentException("not semantic versions: " + a + ", " + b);
    }
    for (int i = 1; i <= 3; i++) {
      int c = new BigInteger(x.group(i)).compareTo(new BigInteger(y.group(i)));
      if (c != 0) {
        return c;
      }
    }
    String pa = x.group(4);
    String pb = y.group(4);
    if (pa == null || pb == null) {
      return pa == null ? (pb == null ? 0 : 1) : -1; // a release is above its pre-releases
    }
    String[] ia = pa.split("\\.");
    String[] ib = pb.split("\\.");
    for (int i = 0; i < Math.min(ia.length, ib.length); i++) {
      boolean na = ia[i].chars().allMatch(Character::isDigit);
      boolean nb = ib[i].chars().allMatch(Character::isDigit);
      int c;
      if (na && nb) {
        c = new BigInteger(ia[i]).compareTo(new BigInteger(ib[i]));
      } else if (na || nb) {
        c = na ? -1 : 1; // numeric identifiers are below alphanumeric ones
      } else {
        c = ia[i].compareTo(ib[i]);
      }
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(ia.length, ib.length);
  }

  /** 404 {@code DATASET_NOT_FOUND} for a revision of a dataset. */
  static ApiException notFound(String namespace, String name, String revision) {
    return ApiException.notFound(
        DATASET_NOT_FOUND,
        revision == null
            ? "dataset '" + namespace + "/" + name + "' not found"
            : "dataset '" + namespace + "/" + name + "' at revision '" + revision + "' not found");
  }
}
