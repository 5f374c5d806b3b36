package io.ampd.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The package layering of docs/style.md "Packages by role", checked on ampd's compiled classes (not
 * the tests'), so that it sees every dependency, fully qualified names included, which the build's
 * import control (src/checkstyle/import-control.xml, the same rules on import lines) does not.
 *
 * <p>ArchUnit's core library with plain JUnit tests: its JUnit 5 engine (archunit-junit5) is built
 * against the JUnit Platform 1.x, and ampd's tests run on JUnit 6.
 */
class LayersTest {
  /** ampd's classes, from where Main was loaded (target/classes), without any library's. */
  private static final JavaClasses AMPD = importAmpd();

  private static JavaClasses importAmpd() {
    try {
      Path classes =
          Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .withImportOption(location -> location.contains("/io/ampd/"))
          .importPath(classes);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void packagesAreFreeOfCycles() {
    slices().matching("io.ampd.(**)").should().beFreeOfCycles().check(AMPD);
  }

  @Test
  void everyClassIsInALayerAndTheRootPackageIsEmpty() {
    classes()
        .should()
        .resideInAnyPackage(
            "io.ampd.app",
            "io.ampd.cli",
            "io.ampd.controller..",
            "io.ampd.server",
            "io.ampd.extract",
            "io.ampd.worker",
            "io.ampd.postgres",
            "io.ampd.solo",
            "io.ampd.metadb",
            "io.ampd.registry",
            "io.ampd.config",
            "io.ampd.core")
        .check(AMPD);
  }

  /**
   * Each layer is used only by those above it: the composition root by none, the command line by
   * the root, the roles by the root, and so on down to the shared kernel, which everyone uses and
   * which uses no other package of ampd.
   */
  @Test
  void packagesUseOnlyTheLayersBelowThem() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("app")
        .definedBy("io.ampd.app")
        .layer("cli")
        .definedBy("io.ampd.cli")
        .layer("controller")
        .definedBy("io.ampd.controller..")
        .layer("server")
        .definedBy("io.ampd.server")
        .layer("extract")
        .definedBy("io.ampd.extract")
        .layer("worker")
        .definedBy("io.ampd.worker")
        .layer("postgres")
        .definedBy("io.ampd.postgres")
        .layer("solo")
        .definedBy("io.ampd.solo")
        .layer("metadb")
        .definedBy("io.ampd.metadb")
        .layer("registry")
        .definedBy("io.ampd.registry")
        .layer("config")
        .definedBy("io.ampd.config")
        .layer("core")
        .definedBy("io.ampd.core")
        .whereLayer("app")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("cli")
        .mayOnlyBeAccessedByLayers("app")
        .whereLayer("controller")
        .mayOnlyBeAccessedByLayers("app")
        .whereLayer("server")
        .mayOnlyBeAccessedByLayers("app")
        .whereLayer("postgres")
        .mayOnlyBeAccessedByLayers("app")
        .whereLayer("solo")
        .mayOnlyBeAccessedByLayers("app")
        .whereLayer("extract")
        .mayOnlyBeAccessedByLayers("app", "controller", "server")
        .whereLayer("worker")
        .mayOnlyBeAccessedByLayers("app", "extract")
        .whereLayer("metadb")
        .mayOnlyBeAccessedByLayers("app", "controller", "server", "extract", "worker")
        .whereLayer("registry")
        .mayOnlyBeAccessedByLayers(
            "app", "cli", "controller", "server", "extract", "worker", "metadb")
        .whereLayer("config")
        .mayOnlyBeAccessedByLayers(
            "app",
            "cli",
            "controller",
            "server",
            "extract",
            "worker",
            "postgres",
            "metadb",
            "registry")
        .check(AMPD);
  }
}
