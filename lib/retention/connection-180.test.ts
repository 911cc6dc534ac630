import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { classifyLogName } from "@/lib/logs/files";
import { retentionPolicy } from "@/lib/logs/retention";
import { plainLines, referenceNow } from "@/lib/logs/test-helpers";
import { FIXTURE_DIR, tempDir } from "@/lib/sydent/test-fixtures";
import { auditLogFile } from "@/lib/retention/audit-files";

// The notice's 180-day promise for connection information (3.2.2: "Our logs are kept for not
// longer than 180 days", any line holding an IP address) decides a verdict when every other class
// that applies allows longer, e.g. under a notice version that lets HAProxy and application logs
// stay a year. Real lines restamped half a day on either side of 180 days.

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const DAY = 86_400_000;
const policy = retentionPolicy({ lookup: 365, haproxy: 365, application: 365 });
const inside = new Date(referenceNow.getTime() - 179.5 * DAY);
const outside = new Date(referenceNow.getTime() - 180.5 * DAY);
const haproxyReal = plainLines(path.join(FIXTURE_DIR, "haproxy", "haproxy.log"));
const sydentReal = plainLines(path.join(FIXTURE_DIR, "is1", "sydent.log"));

/** rsyslog's "YYYY-MM-DDTHH:MM:SS.ffffff+00:00" at `at`. */
const haproxyAt = (at: Date) => haproxyReal.map((l) => l.replace(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00/, `${at.toISOString().slice(0, 23)}000+00:00`));
/** Sydent's "YYYY-MM-DD HH:MM:SS,mmm" at `at`. */
const sydentAt = (at: Date) => {
  const t = at.toISOString();
  return sydentReal.map((l) => l.replace(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}/, `${t.slice(0, 10)} ${t.slice(11, 19)},${t.slice(20, 23)}`));
};

async function audit(name: string, source: "sydent" | "haproxy", lines: string[]) {
  const p = path.join(dir, name);
  fs.writeFileSync(p, lines.join("\n") + "\n");
  return auditLogFile({ path: p, source, origin: source === "haproxy" ? "haproxy" : "is1", pattern: p, ...classifyLogName(name) }, policy, referenceNow);
}

describe("the 180-day connection-information limit decides", () => {
  it("HAProxy access lines (client IP:port): 179.5 days old within, 180.5 expired; start/stop lines stay", async () => {
    // An access line names the client as "<IPv4>:<port>" right after the process tag.
    const isAccess = (l: string) => /haproxy\[\d+\]: \d{1,3}(\.\d{1,3}){3}:\d+ /.test(l);
    const access = (at: Date) => haproxyAt(at).filter(isAccess);
    const accessCount = haproxyReal.filter(isAccess).length;
    expect(accessCount).toBeGreaterThan(0);
    const within = await audit("haproxy.log.1", "haproxy", access(inside));
    expect(within.verdict).toBe("within");
    expect(within.classes.connection).toMatchObject({ periodDays: 180, lines: accessCount, overdueLines: 0 });
    const expired = await audit("haproxy.log.2", "haproxy", access(outside));
    expect(expired.verdict).toBe("expired");
    expect(expired.overdueLines).toBe(accessCount);
    // The whole real file 180.5 days old: the access lines are past 180 days, the lines without an
    // address ("Proxy ... stopped") are HAProxy lines kept a year under this policy.
    const whole = await audit("haproxy.log.3", "haproxy", haproxyAt(outside));
    expect(whole.verdict).toBe("straddling");
    expect(whole.overdueLines).toBe(accessCount);
    expect(whole.classes.haproxy).toMatchObject({ lines: haproxyReal.length - accessCount, overdueLines: 0 });
    // Without the connection promise (a year for it too) nothing would be overdue: 180 days decided.
    const year = await auditLogFile({ path: path.join(dir, "haproxy.log.2"), source: "haproxy", origin: "haproxy", pattern: "", ...classifyLogName("haproxy.log.2") }, retentionPolicy({ lookup: 365, haproxy: 365, application: 365, connection: 365 }), referenceNow);
    expect(year.verdict).toBe("within");
  });

  it("Sydent lines: those holding an IP address pass at 180 days, the others stay (application: a year)", async () => {
    const within = await audit("sydent.log.2026-06-01", "sydent", sydentAt(inside));
    expect(within.verdict).toBe("within");
    const old = await audit("sydent.log.2026-05-31", "sydent", sydentAt(outside));
    expect(old.verdict).toBe("straddling");
    expect(old.classes.connection!.overdueLines).toBe(old.classes.connection!.lines);
    expect(old.classes.connection!.lines).toBeGreaterThan(0);
    expect(old.classes.application!.overdueLines).toBe(0);
    expect(old.overdueLines).toBe(old.classes.connection!.lines);
  });
});
