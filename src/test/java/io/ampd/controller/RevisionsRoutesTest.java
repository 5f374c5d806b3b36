package io.ampd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ampd.extract.RevisionDirs;
import io.ampd.metadb.FileRepository;
import io.ampd.metadb.JobAdmin;
import io.ampd.metadb.JobAdmin.DeployOptions;
import io.ampd.metadb.JobQueries;
import io.ampd.metadb.NewFile;
import io.ampd.metadb.RevisionRepository;
import io.ampd.metadb.TableRevision;
import io.ampd.registry.DatasetKind;
import io.ampd.registry.DatasetRef;
import io.ampd.testing.CoordFixtures;
import io.ampd.testing.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code /revisions} routes, the revision a job writes (continued, or fresh and switched to
 * once caught up), a deploy of what is extracted already, and the removal of unrecorded revision
 * directories: on a real database, with files on disk.
 */
class RevisionsRoutesTest {
  private static final List<String> TABLES = List.of("blocks", "transactions");
  private static final Duration TIMEOUT = CoordFixtures.CONTROLLER.workerTimeout();

  private CoordFixtures fx;
  private Path dataDir;
  private TestApi api;
  private DatasetRef eth;
  private FileRepository files;
  private JobAdmin admin;
  private JobQueries queries;

  @BeforeEach
  void setUp() throws Exception {
    fx = CoordFixtures.create("revisions");
    fx.provider("mainnet", "mainnet");
    eth = fx.dataset("ex", "eth", "1.0.0", "mainnet");
    dataDir = TempDirs.create("ampd-revisions");
    files = new FileRepository(fx.db.dataSource());
    admin = new JobAdmin(fx.db.dataSource());
    queries = new JobQueries(fx.db.dataSource());
    api = new TestApi(new RevisionsRoutes(fx.db.dataSource(), dataDir));
  }

  @AfterEach
  void tearDown() throws Exception {
    api.close();
    fx.close();
    TempDirs.deleteRecursively(dataDir);
  }

  /** A job of {@code eth} in {@code status}; {@code fresh}: a redump. */
  private long job(String status, boolean fresh) {
    return Long.parseLong(
        fx.column(
                "INSERT INTO jobs (idempotency_key, dataset_namespace, dataset_name,"
                    + " dataset_version, status, descriptor) VALUES ('k-' || gen_random_uuid(),"
                    + " 'ex', 'eth', '1.0.0', '"
                    + status
                    + "', '{\"kind\": \"evm-rpc\", \"provider\": \"mainnet\", \"fresh\": "
                    + fresh
                    + "}') RETURNING id")
            .get(0));
  }

  private void setStatus(long job, String status) {
    fx.execute("UPDATE jobs SET status = '" + status + "' WHERE id = " + job);
  }

  private List<TableRevision> revisionsOf(long job) {
    return files.revisionsOfJob(job, eth, TABLES, t -> "ex/eth/" + t + "/1.0.0/job-" + job, 2);
  }

  /** Writes and records blocks {@code first..last} in every revision (one file each). */
  private void segment(List<TableRevision> revisions, long first, long last) throws Exception {
    List<NewFile> news = new java.util.ArrayList<>();
    for (TableRevision r : revisions) {
      String name = String.format("%019d-%019d.parquet", first, last);
      Path dir = Files.createDirectories(dataDir.resolve(r.path()));
      Files.write(dir.resolve(name), new byte[] {1, 2, 3});
      news.add(new NewFile(r.id(), name, 3, last - first + 1, first, last));
    }
    OptionalLong previous =
        files.recorded(List.of(revisions.get(0).id())).get(revisions.get(0).id()).lastBlock();
    files.recordSegment(news, previous, last, new byte[32]);
  }

  @Test
  void aJobContinuesTheActiveRevisionAndAFreshOneSwitchesWhenCaughtUp() throws Exception {
    long first = job("RUNNING", false);
    List<TableRevision> original = revisionsOf(first);
    assertTrue(original.stream().allMatch(TableRevision::active));
    segment(original, 0, 49);
    setStatus(first, "STOPPED");

    // A second job continues the same revisions (it becomes their writer).
    long second = job("RUNNING", false);
    assertEquals(original, revisionsOf(second));
    assertEquals(
        List.of(String.valueOf(second), String.valueOf(second)),
        fx.column("SELECT writer FROM table_revisions ORDER BY id"));
    segment(original, 50, 79);
    setStatus(second, "STOPPED");

    // A fresh job writes new revisions, inactive until they reach block 79.
    long redump = job("RUNNING", true);
    List<TableRevision> fresh = revisionsOf(redump);
    assertTrue(fresh.stream().noneMatch(TableRevision::active));
    assertEquals(fresh, revisionsOf(redump), "a later run of the job gets the same revisions");
    segment(fresh, 0, 59);
    assertEquals(
        List.of(String.valueOf(original.get(0).id()), String.valueOf(original.get(1).id())),
        fx.column("SELECT id FROM table_revisions WHERE active ORDER BY id"));
    segment(fresh, 60, 79);
    assertEquals(
        List.of(String.valueOf(fresh.get(0).id()), String.valueOf(fresh.get(1).id())),
        fx.column("SELECT id FROM table_revisions WHERE active ORDER BY id"));
  }

  @Test
  void aDeployOfWhatIsExtractedAlreadyRunsNothing() throws Exception {
    DeployOptions upTo99 = new DeployOptions(false, TABLES, OptionalLong.of(99));
    long first = job("RUNNING", false);
    segment(revisionsOf(first), 0, 99);
    fx.execute("DELETE FROM jobs WHERE id = " + first);

    // No completed job to answer with: one is made COMPLETED, with an event saying why.
    JobAdmin.Deployed made =
        admin.deploy(eth, DatasetKind.EVM_RPC.kindName(), "mainnet", TIMEOUT, upTo99);
    assertTrue(made.created());
    assertEquals("COMPLETED", made.job().status().name());
    assertTrue(
        queries.events(made.job().id()).get(0).detail().toString().contains("extracted already"));
    // Then that job is the answer, again and again.
    JobAdmin.Deployed again =
        admin.deploy(eth, DatasetKind.EVM_RPC.kindName(), "mainnet", TIMEOUT, upTo99);
    assertFalse(again.created());
    assertEquals(made.job().id(), again.job().id());
    // A larger end block (or a redump) is work to do: a new job.
    JobAdmin.Deployed more =
        admin.deploy(
            eth,
            DatasetKind.EVM_RPC.kindName(),
            "mainnet",
            TIMEOUT,
            new DeployOptions(false, TABLES, OptionalLong.of(100)));
    assertTrue(more.created());
    assertEquals("SCHEDULED", more.job().status().name());
  }

  @Test
  void revisionsAreListedShownActivatedAndDeactivated() throws Exception {
    long first = job("RUNNING", false);
    List<TableRevision> original = revisionsOf(first);
    segment(original, 0, 99);
    setStatus(first, "COMPLETED");
    long redump = job("RUNNING", true);
    List<TableRevision> fresh = revisionsOf(redump);
    segment(fresh, 0, 49);
    setStatus(redump, "STOPPED");

    TestApi.Answer all = api.get("/revisions");
    assertEquals(200, all.status(), all.body());
    assertEquals(4, all.json().size());
    JsonNode newest = all.json().get(0);
    assertEquals(fresh.get(1).id(), newest.get("id").asLong());
    assertEquals(fresh.get(1).path(), newest.get("path").asText());
    assertFalse(newest.get("active").asBoolean());
    assertEquals(redump, newest.get("writer").asLong());
    assertEquals("ex", newest.at("/metadata/dataset_namespace").asText());
    assertEquals("eth", newest.at("/metadata/dataset_name").asText());
    assertEquals("transactions", newest.at("/metadata/table_name").asText());
    assertEquals(64, newest.at("/metadata/manifest_hash").asText().length());
    assertEquals("1.0.0", newest.get("dataset_version").asText());
    assertEquals("STOPPED", newest.get("writer_status").asText());
    assertEquals(49, newest.get("last_block").asLong());
    assertEquals(1, newest.get("files").asLong());
    assertEquals(50, newest.get("rows").asLong());
    assertEquals(2, api.get("/revisions?active=true").json().size());
    assertEquals(1, api.get("/revisions?active=false&limit=1").json().size());
    assertCode(api.get("/revisions?active=yes"), 400, "INVALID_QUERY_PARAMETERS");
    assertCode(api.get("/revisions?limit=0"), 400, "INVALID_QUERY_PARAMETERS");
    assertCode(api.get("/revisions/x"), 400, "INVALID_PATH_PARAMETERS");
    assertCode(api.get("/revisions/999"), 404, "REVISION_NOT_FOUND");
    assertEquals(
        original.get(0).id(),
        api.get("/revisions/" + original.get(0).id()).json().get("id").asLong());

    // Activation: the old one goes in the same step; the body, when given, must match.
    long freshBlocks = fresh.get(0).id();
    TestApi.Answer on =
        api.post(
            "/revisions/" + freshBlocks + "/activate",
            "{'dataset': 'ex/eth@1.0.0', 'table_name': 'blocks'}");
    assertEquals(200, on.status(), on.body());
    assertTrue(on.json().get("active").asBoolean());
    assertEquals(
        List.of(String.valueOf(freshBlocks), String.valueOf(original.get(1).id())),
        fx.column("SELECT id FROM table_revisions WHERE active ORDER BY table_name"));
    assertCode(
        api.post(
            "/revisions/" + freshBlocks + "/activate",
            "{'dataset': 'ex/eth@1.0.0', 'table_name': 'transactions'}"),
        400,
        "INVALID_BODY");
    assertCode(
        api.post(
            "/revisions/" + freshBlocks + "/activate",
            "{'dataset': 'ex/eth@9.9.9', 'table_name': 'blocks'}"),
        404,
        "DATASET_NOT_FOUND");
    assertCode(
        api.post(
            "/revisions/" + freshBlocks + "/activate",
            "{'dataset': 'eth', 'table_name': 'blocks'}"),
        400,
        "INVALID_BODY");
    assertCode(api.post("/revisions/999/activate", ""), 404, "REVISION_NOT_FOUND");
    // latest and a manifest hash name the version too
    String hash = newest.at("/metadata/manifest_hash").asText();
    assertEquals(
        200,
        api.post(
                "/revisions/" + original.get(0).id() + "/activate",
                "{'dataset': 'ex/eth@" + hash + "', 'table_name': 'blocks'}")
            .status());

    TestApi.Answer off =
        api.post("/revisions/deactivate", "{'dataset': 'ex/eth@latest', 'table_name': 'blocks'}");
    assertEquals(200, off.status(), off.body());
    assertEquals(1, off.json().get("deactivated").asInt());
    assertEquals(
        List.of(String.valueOf(original.get(1).id())),
        fx.column("SELECT id FROM table_revisions WHERE active"));
    assertCode(
        api.post("/revisions/deactivate", "{'dataset': 'ex/eth@1.0.0', 'table_name': 'nope'}"),
        404,
        "TABLE_NOT_FOUND");
    assertCode(api.post("/revisions/deactivate", ""), 400, null);
  }

  @Test
  void aRevisionIsDeletedWithItsFilesOnlyWhenInactiveAndNotBeingWritten() throws Exception {
    long first = job("RUNNING", false);
    List<TableRevision> original = revisionsOf(first);
    segment(original, 0, 99);
    setStatus(first, "COMPLETED");
    long redump = job("RUNNING", true);
    List<TableRevision> fresh = revisionsOf(redump);
    segment(fresh, 0, 49);
    segment(fresh, 50, 59);

    assertCode(api.delete("/revisions/" + original.get(0).id()), 409, "REVISION_IS_ACTIVE");
    assertCode(api.delete("/revisions/" + fresh.get(0).id()), 409, "WRITER_JOB_NOT_TERMINAL");
    assertCode(api.delete("/revisions/999"), 404, "REVISION_NOT_FOUND");
    assertCode(api.delete("/revisions/0"), 400, "INVALID_PATH_PARAMETERS");
    setStatus(redump, "STOPPED");

    Path dir = dataDir.resolve(fresh.get(0).path());
    assertTrue(Files.isDirectory(dir));
    TestApi.Answer gone = api.delete("/revisions/" + fresh.get(0).id());
    assertEquals(204, gone.status(), gone.body());
    assertFalse(Files.exists(dir));
    assertEquals(
        List.of("0"),
        fx.column("SELECT count(*) FROM files WHERE revision_id = " + fresh.get(0).id()));

    TestApi.Answer truncated = api.delete("/revisions/" + fresh.get(1).id() + "/truncate");
    assertEquals(200, truncated.status(), truncated.body());
    assertEquals(2, truncated.json().get("files_deleted").asLong());
    assertFalse(Files.exists(dataDir.resolve(fresh.get(1).path())));
    assertEquals(2, api.get("/revisions").json().size());
  }

  @Test
  void unrecordedRevisionDirectoriesAreRemovedAndNothingElse() throws Exception {
    long first = job("COMPLETED", false);
    List<TableRevision> kept = revisionsOf(first);
    segment(kept, 0, 9);
    Path orphan = Files.createDirectories(dataDir.resolve("ex/eth/blocks/1.0.0/job-77"));
    Files.write(orphan.resolve("0000000000000000000-0000000000000000009.parquet"), new byte[1]);
    Path other = Files.createDirectories(dataDir.resolve("ex/eth/blocks/1.0.0/mine"));
    Path shallow = Files.createDirectories(dataDir.resolve("ex/job-5"));

    RevisionRepository revisions = new RevisionRepository(fx.db.dataSource());
    assertEquals(
        List.of("ex/eth/blocks/1.0.0/job-77"),
        RevisionDirs.sweep(dataDir, revisions::recordedPaths));
    assertFalse(Files.exists(orphan));
    assertTrue(Files.isDirectory(other));
    assertTrue(Files.isDirectory(shallow));
    for (TableRevision r : kept) {
      assertTrue(Files.isDirectory(dataDir.resolve(r.path())), r.path());
    }
    assertEquals(List.of(), RevisionDirs.sweep(dataDir, revisions::recordedPaths));
    assertThrows(
        IllegalArgumentException.class, () -> RevisionDirs.delete(dataDir, "../../etc/a/b"));
    assertThrows(IllegalArgumentException.class, () -> RevisionDirs.delete(dataDir, "ex/job-5"));
  }

  private static void assertCode(TestApi.Answer a, int status, String code) {
    assertEquals(status, a.status(), a.body());
    if (code != null) {
      assertTrue(a.body().contains("\"" + code + "\""), a.body());
    }
  }
}
