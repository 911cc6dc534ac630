import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { splitLines, writeAtomically } from "@/lib/erasure/log-scrub";
import type { RetentionPolicy } from "@/lib/logs/retention";
import { DAY_MS, sha256File, type FileAudit } from "@/lib/retention/audit-files";
import type { SourceAudit } from "@/lib/retention/audit-sources";
import { lineDater } from "@/lib/retention/line-dater";

// Enforcement of one log source. The dry run (planEnforcement) lists exactly what would change:
// rotated files whose every line is past its period are deleted whole; rotated files with some
// such lines ("straddling") are rewritten without them, atomically, by log-scrub's mechanism
// (lib/erasure/log-scrub.ts: temp file, fsync, mode/owner/times kept, rename, directory fsync,
// refused when the file changed meanwhile). Never touched: the current file (a writer has it
// open), and any file that could not be read or dated, changed while read, or holds future
// timestamps. Execution re-checks each file's SHA-256 against the dry run first: a file that
// changed since is skipped, not acted on with a stale plan.

export type PlanItem = { file: string; action: "delete" | "rewrite"; linesRemoved: number; linesKept: number; sha256Before: string; overdueDays: number };
export type PlanSkip = { file: string; reason: string };
/** `asOf`: the time the dry run judged at. Execution removes exactly the lines expired then (what was approved). */
export type EnforcementPlan = { sourceKey: string; asOf: string; items: PlanItem[]; skipped: PlanSkip[] };

const SKIP_REASON: Partial<Record<FileAudit["verdict"], string>> = {
  "current-too-old": "the current file: a writer has it open, so it is never rewritten (fix the rotation)",
  unreadable: "cannot be read whole (damaged or truncated): never deleted or rewritten",
  undatable: "cannot be dated: never deleted",
  "changed-while-read": "changed while it was read: audit again",
  "future-lines": "holds timestamps in the future: not enforced until explained",
  missing: "missing",
};

export function planEnforcement(source: SourceAudit, asOf: Date): EnforcementPlan {
  const items: PlanItem[] = [];
  const skipped: PlanSkip[] = [];
  for (const f of source.files) {
    if (f.verdict === "expired" || f.verdict === "straddling") {
      if (!f.sha256) {
        skipped.push({ file: f.path, reason: "no SHA-256 (audit with hashing)" });
        continue;
      }
      const datedLines = Object.values(f.classes).reduce((n, c) => n + c.lines, 0);
      items.push({
        file: f.path, action: f.verdict === "expired" ? "delete" : "rewrite", linesRemoved: f.overdueLines,
        linesKept: f.undatedLines + datedLines - f.overdueLines, sha256Before: f.sha256, overdueDays: f.overdueDays,
      });
    } else if (SKIP_REASON[f.verdict] && (f.overdueLines > 0 || f.verdict !== "missing")) {
      skipped.push({ file: f.path, reason: SKIP_REASON[f.verdict]! });
    }
  }
  return { sourceKey: source.key, asOf: asOf.toISOString(), items, skipped };
}

export type ActionResult = PlanItem & { status: "deleted" | "rewritten" | "skipped"; sha256After: string | null; problem?: string };

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

async function rewrite(item: PlanItem, source: SourceAudit["source"], policy: RetentionPolicy, nowMs: number): Promise<{ sha256After: string | null; problem?: string }> {
  const st = fs.statSync(item.file);
  const raw = fs.readFileSync(item.file);
  const gzip = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  const text = gzip ? zlib.gunzipSync(raw) : raw;
  const lines = splitLines(text);
  const trailing = lines.length > 0 && lines[lines.length - 1].length === 0;
  if (trailing) lines.pop();
  const date = lineDater(source, policy);
  const kept: Buffer[] = [];
  let removed = 0;
  for (const b of lines) {
    const d = date(b.toString("utf8"));
    if (d && d.at + policy.periodDays[d.cls] * DAY_MS < nowMs) removed++;
    else kept.push(b);
  }
  if (removed !== item.linesRemoved) return { sha256After: null, problem: `the file now has ${removed} expired line(s), the dry run ${item.linesRemoved}: left as it was` };
  const body = Buffer.concat(kept.flatMap((b, i) => (i === 0 ? [b] : [Buffer.from("\n"), b])).concat(trailing && kept.length ? [Buffer.from("\n")] : []));
  writeAtomically(item.file, gzip ? zlib.gzipSync(body) : body, st);
  return { sha256After: await sha256File(item.file) };
}

/** Carries out a plan. Each file is checked against its dry-run SHA-256 first. Never throws per file. */
export async function executePlan(plan: EnforcementPlan, source: SourceAudit["source"], policy: RetentionPolicy): Promise<ActionResult[]> {
  const asOf = Date.parse(plan.asOf);
  const out: ActionResult[] = [];
  for (const item of plan.items) {
    const current = await sha256File(item.file);
    if (current !== item.sha256Before) {
      out.push({ ...item, status: "skipped", sha256After: current, problem: current ? "changed since the dry run: left as it is (run a new dry run)" : "no longer there" });
      continue;
    }
    try {
      if (item.action === "delete") {
        fs.unlinkSync(item.file);
        fsyncDir(path.dirname(item.file));
        out.push({ ...item, status: "deleted", sha256After: null });
      } else {
        const r = await rewrite(item, source, policy, asOf);
        out.push({ ...item, status: r.problem ? "skipped" : "rewritten", sha256After: r.sha256After, ...(r.problem ? { problem: r.problem } : {}) });
      }
    } catch (e) {
      out.push({ ...item, status: "skipped", sha256After: await sha256File(item.file), problem: (e as Error).message });
    }
  }
  return out;
}
