package io.ampd.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ampd.testing.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TempDirs.class)
class ProcFsTest {

  @Test
  void zombieAndDeadStatesCountAsDead() {
    assertTrue(ProcFs.isZombieOrDead("4242 (postgres) Z 1 4242 4242 0 -1 4194564 0"));
    assertTrue(ProcFs.isZombieOrDead("4242 (postgres) X 1 4242"));
    assertFalse(ProcFs.isZombieOrDead("4242 (postgres) S 1 4242 4242 0 -1"));
    assertFalse(ProcFs.isZombieOrDead("4242 (a) Z (b)) R 1 4242"));
    assertTrue(ProcFs.isZombieOrDead("garbage"));
  }

  @Test
  void readsAFakeProcTree() throws Exception {
    Path proc = TempDirs.create("fakeproc");
    Files.createDirectories(proc.resolve("77"));
    Files.writeString(proc.resolve("77/stat"), "77 (postgres) Z 1 77 77 0 -1\n");
    Files.createDirectories(proc.resolve("78"));
    Files.writeString(proc.resolve("78/stat"), "78 (postgres) S 1 78 78 0 -1\n");
    Files.write(proc.resolve("78/cmdline"), "/usr/lib/postgresql/15/bin/postgres\0-D\0/x\0".getBytes());
    ProcFs fs = new ProcFs(proc);
    assertFalse(fs.isAlive(77));
    assertTrue(fs.isAlive(78));
    assertFalse(fs.isAlive(79));
    assertEquals(Optional.of("postgres"), fs.programName(78));
  }

  @Test
  void orphansClassifyAZombieAsDeadAndNeverAsOurs() throws Exception {
    Path proc = TempDirs.create("fakeproc");
    Files.createDirectories(proc.resolve("77"));
    Files.writeString(proc.resolve("77/stat"), "77 (postgres) Z 1 77 77 0 -1\n");
    Path data = TempDirs.create("data");
    assertEquals(Orphans.Kind.DEAD, new Orphans(new ProcFs(proc), true).classify(77, data, data.toString()));
  }

  @Test
  void parsesPostmasterPid() {
    var pf = PidFile.parse(List.of("4611", "/tmp/d", "1795304086", "5432", "/tmp/d", "", "  2154860        13", "ready   ")).orElseThrow();
    assertEquals(4611, pf.pid());
    assertEquals("/tmp/d", pf.dataDir());
    assertTrue(pf.ready());
    assertFalse(PidFile.parse(List.of("4611", "/tmp/d")).orElseThrow().ready());
    assertTrue(PidFile.parse(List.of("")).isEmpty());
  }

  @Test
  void parsesIdOutput() {
    OsUser u = OsUser.parseId("uid=101(postgres) gid=104(postgres) groups=104(postgres),103(ssl-cert)").orElseThrow();
    assertEquals(101, u.uid());
    assertEquals(104, u.gid());
    assertEquals(java.util.Set.of(104, 103), u.groups());
    assertEquals(List.of("--reuid=101", "--regid=104", "--init-groups"), u.setprivArgs());
  }
}
