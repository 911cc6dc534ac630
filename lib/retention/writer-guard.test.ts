import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_RETENTION_POLICY } from "@/lib/logs/retention";
import { dateLogCopies, referenceNow } from "@/lib/logs/test-helpers";
import { FIXTURE_DIR, tempDir } from "@/lib/sydent/test-fixtures";
import { auditLogSources } from "@/lib/retention/audit-sources";
import { executePlan, guardPlan, openersOf, openFiles, planEnforcement, WRITER_QUIET_SECONDS } from "@/lib/retention/enforce";

// "Never touches a file a writer has open" by more than its name: a rotated, expired file that a
// real process holds open (here `sleep` with the file as its stdout, as a writer not told about
// the rotation would) or that was written moments ago is skipped, by the dry run and again at
// execution, with the reason; once the process is gone and the file is quiet it is deleted.

const dir = tempDir();
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A process holding `file` open for writing (appending), until killed. */
function holdOpen(file: string): ChildProcess {
  const fd = fs.openSync(file, "a");
  try {
    const c = spawn("sleep", ["30"], { stdio: ["ignore", fd, "ignore"] });
    children.push(c);
    return c;
  } finally {
    fs.closeSync(fd); // only the child keeps it open
  }
}

describe("writer guard before deleting or rewriting a rotated file", async () => {
  fs.cpSync(path.join(FIXTURE_DIR, "is1"), path.join(dir, "is1"), { recursive: true });
  dateLogCopies(dir);
  const servers = [{ label: "is1", sydentLogPaths: [path.join(dir, "is1", "sydent.log*")], haproxyLogPaths: [] }];
  const [source] = await auditLogSources(servers, { now: referenceNow, policyFor: () => DEFAULT_RETENTION_POLICY, hash: true });
  const plan = planEnforcement(source, referenceNow);
  const held = path.join(dir, "is1", "sydent.log.2026-05-26.synthetic-aged.gz");
  const fresh = path.join(dir, "is1", "sydent.log.2026-09-27.synthetic-aged.gz");

  it("the fixture's expired files are planned for deletion when nothing holds them", () => {
    expect(plan.items.filter((i) => i.action === "delete").map((i) => i.file).sort()).toEqual([held, fresh].sort());
    expect(guardPlan(plan).items.map((i) => i.file).sort()).toEqual(plan.items.map((i) => i.file).sort());
  });

  it("a file a process has open, or written just now, is skipped with the reason by the dry run and at execution", async () => {
    const child = holdOpen(held);
    const now = new Date();
    fs.utimesSync(fresh, now, now);
    const guarded = guardPlan(plan);
    expect(guarded.items.map((i) => i.file)).not.toContain(held);
    expect(guarded.items.map((i) => i.file)).not.toContain(fresh);
    expect(guarded.skipped.find((s) => s.file === held)?.reason).toContain(`open by pid ${child.pid} (sleep)`);
    expect(guarded.skipped.find((s) => s.file === fresh)?.reason).toMatch(new RegExp(`written \\d+ s ago \\(less than ${WRITER_QUIET_SECONDS} s\\)`));
    // A plan approved before the writer appeared is checked again just before acting.
    const onlyThese = { ...plan, items: plan.items.filter((i) => i.file === held || i.file === fresh) };
    const results = await executePlan(onlyThese, source.source, source.policy);
    expect(results.map((r) => r.status)).toEqual(["skipped", "skipped"]);
    expect(results.find((r) => r.file === held)?.problem).toContain(`open by pid ${child.pid} (sleep)`);
    expect(results.find((r) => r.file === fresh)?.problem).toMatch(/written \d+ s ago/);
    expect(fs.existsSync(held)).toBe(true);
    expect(fs.existsSync(fresh)).toBe(true);

    // The writer goes away: the file it held is deleted; the freshly written one still waits.
    const exited = new Promise((res) => child.once("exit", res));
    child.kill("SIGKILL");
    await exited;
    const after = await executePlan(onlyThese, source.source, source.policy);
    expect(after.find((r) => r.file === held)?.status).toBe("deleted");
    expect(fs.existsSync(held)).toBe(false);
    expect(after.find((r) => r.file === fresh)?.status).toBe("skipped");
    expect(fs.existsSync(fresh)).toBe(true);
  });

  it("one pass over /proc finds a file held under the name it had before the rotation renamed it", async () => {
    const before = path.join(dir, "renamed.log");
    const after = path.join(dir, "renamed.log.1");
    fs.writeFileSync(before, "line\n");
    const child = holdOpen(before);
    fs.renameSync(before, after); // what logrotate does to a writer that is not told
    const open = openFiles();
    expect(openersOf(after, open).map((o) => o.pid)).toContain(child.pid);
    expect(openersOf(fresh, open)).toEqual([]);
    const exited = new Promise((res) => child.once("exit", res));
    child.kill("SIGKILL");
    await exited;
    expect(openersOf(after)).toEqual([]); // a fresh pass: the writer is gone
  });
});
