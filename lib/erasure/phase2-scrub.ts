import fs from "node:fs";
import { scrubLogFiles } from "@/lib/erasure/log-scrub";
import type { ErasurePlan } from "@/lib/erasure/plan";
import type { SubjectIds } from "@/lib/erasure/verify";
import { findLogFiles, type LogFile } from "@/lib/logs/files";
import { listServers } from "@/lib/servers/queries";

// Phase 2's log scrubbing step (CUSTODIAN_ERASURE_LOGS=scrub). API:
//   scrubLogs(target, ids) -> counts + scrubbed   step body for "scrubLogs" (static import: bundles in Next)
//   scrubTarget(plan, since) -> target            the files of a (re)try
// `scrubbed` is true only when no file had a problem and no line mentioning the subject is left
// (a live current file is never rewritten: its lines stay until rotation). A try that left
// something is retried on the next phase-2 pass over the plan's files and every log file of the
// plan's servers modified since the previous try (the rotated copy of the current file). A file
// that no longer exists holds no copy. The result holds counts only: no path, no line.

export type ScrubFile = string | Pick<LogFile, "path" | "source" | "origin">;
export type ScrubTarget = { files: ScrubFile[] };

const pathOf = (f: ScrubFile) => (typeof f === "string" ? f : f.path);

export async function scrubLogs(t: ScrubTarget, ids: SubjectIds): Promise<Record<string, unknown>> {
  const present = t.files.filter((f) => fs.existsSync(pathOf(f)));
  const res = await scrubLogFiles(present, ids);
  const scrubbed = res.filesWithProblems === 0 && res.currentLinesLeft === 0;
  const why = [
    res.filesWithProblems && `${res.filesWithProblems} file(s) could not be scrubbed`,
    res.currentLinesLeft && `${res.currentLinesLeft} line(s) left in live log files until they rotate${res.lastCurrentCopyExpiresAt ? ` (they expire by ${res.lastCurrentCopyExpiresAt})` : ""}`,
  ].filter(Boolean);
  return {
    scrubbed,
    files: t.files.length,
    filesGone: t.files.length - present.length,
    linesRemoved: res.linesRemoved,
    filesRewritten: res.filesRewritten,
    filesWithProblems: res.filesWithProblems,
    currentLinesLeft: res.currentLinesLeft,
    lastCurrentCopyExpiresAt: res.lastCurrentCopyExpiresAt,
    ...(scrubbed ? {} : { problem: `${why.join("; ")}; retried on the next phase-2 pass` }),
  };
}

/** The first try: the plan's files. A retry (`since` = the previous try's start): also files changed since. */
export async function scrubTarget(plan: ErasurePlan, since: Date | null): Promise<ScrubTarget> {
  const files: ScrubFile[] = (plan.logs?.files ?? []).map((f) => f.file);
  if (!since) return { files };
  const ids = new Set(plan.servers.map((s) => s.server.id));
  const servers = (await listServers({ includeDisabled: true })).filter((s) => ids.has(s.id));
  const known = new Set(files.map(pathOf));
  for (const f of await findLogFiles(servers)) {
    if (f.problem || known.has(f.path)) continue;
    try {
      // ctime too: rotation renames (and gzip rewrites) a file without a newer mtime.
      const st = fs.statSync(f.path);
      if (Math.max(st.mtimeMs, st.ctimeMs) < since.getTime()) continue;
    } catch {
      continue;
    }
    known.add(f.path);
    files.push({ path: f.path, source: f.source, origin: f.origin });
  }
  return { files };
}
