import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { scrubLogs } from "@/lib/erasure/phase2-scrub";
import { tempDir } from "@/lib/sydent/test-fixtures";

// Finding 7 (log part): the scrub step says "scrubbed" only when no file had a problem and no
// line mentioning the subject is left; lines left in a live file make it false (retried on the
// next phase-2 pass); a file that no longer exists holds no copy. Files are made here.

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const EMAIL = "scrub.me@example.org";
const ids = { emails: [EMAIL], msisdns: [], mxids: [], sids: [] };
const line = (s: string) => `2026-01-01 10:00:00,000 - sydent.http - 1 - INFO - ${s}\n`;

describe("scrubLogs step", () => {
  it("is not scrubbed while the live file still holds lines; a rotated copy is scrubbed; a gone file holds none", async () => {
    const current = path.join(dir, "sydent.log");
    const rotated = path.join(dir, "sydent.log.2026-01-01");
    fs.writeFileSync(current, line(`lookup ${EMAIL}`) + line("other"));
    fs.writeFileSync(rotated, line(`bind ${EMAIL}`) + line("kept"));

    const first = await scrubLogs({ files: [current, rotated] }, ids);
    expect(first).toMatchObject({ scrubbed: false, currentLinesLeft: 1, linesRemoved: 1, filesWithProblems: 0 });
    expect(String(first.problem)).not.toContain(EMAIL);
    expect(fs.readFileSync(rotated, "utf8")).not.toContain(EMAIL);

    // Rotation moves the live lines into a rotated file; the old current file is fresh.
    fs.renameSync(current, path.join(dir, "sydent.log.2026-01-02"));
    fs.writeFileSync(current, line("new"));
    const retry = await scrubLogs({ files: [current, rotated, path.join(dir, "sydent.log.2026-01-02"), path.join(dir, "gone.log.1")] }, ids);
    expect(retry).toMatchObject({ scrubbed: true, currentLinesLeft: 0, filesGone: 1, linesRemoved: 1 });
    for (const f of fs.readdirSync(dir)) expect(fs.readFileSync(path.join(dir, f), "utf8")).not.toContain(EMAIL);
  });
});
