import { recordAccess } from "@/lib/audit/log";
import { can, isRole } from "@/lib/authz";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { findLogFiles } from "@/lib/logs/files";
import type { Needles } from "@/lib/logs/needles";
import { lastCopyExpiresAt } from "@/lib/logs/retention";
import { searchLogs } from "@/lib/logs/search";
import { getServerByLabel, listServers } from "@/lib/servers/queries";
import { parseEmail, parseMxid, parsePhone } from "@/lib/subjects/parse";

// logs:scan: search the registered Sydent and HAProxy log files for ONE identifier, as given
// (no expansion to the person's other identifiers: subject:search does that). Log lines hold
// other people's data too, so only counts, files, line numbers and retention dates are printed,
// never a line. Permissions as for the subject search: subjects.search, and
// subjects.reverseLookup for --mxid. Access-logged as "logs.search" (identifier pseudonymised).
// Progress goes to stderr without identifiers. Exit 0 done (found or not), 1 refused, 2 bad usage or an identifier that does not parse.

const KINDS = ["email", "phone", "mxid"] as const;

export default defineCommand({
  name: "logs:scan",
  summary: "Count the log lines (Sydent and HAProxy, plain and gzipped) that mention one e-mail, phone number or Matrix ID.",
  options: {
    operator: { type: "string", description: "Staff e-mail of who runs the search (needs subjects.search)." },
    server: { type: "string", description: "Label of a registered server (default: every enabled server)." },
    email: { type: "string", description: "E-mail address (any spelling; matched casefolded and URL-encoded)." },
    phone: { type: "string", description: "Phone number as people type it (national form assumes GB)." },
    mxid: { type: "string", description: "Matrix ID (needs subjects.reverseLookup)." },
  },
  async run({ values }) {
    const given = KINDS.filter((k) => typeof values[k] === "string");
    if (given.length !== 1) throw new UsageError("Give exactly one of --email, --phone or --mxid.");
    const kind = given[0];
    const actor = await resolveOperator(values.operator as string | undefined, "subjects.search");
    const raw = values[kind] as string;
    const parsed = kind === "email" ? parseEmail(raw) : kind === "phone" ? parsePhone(raw) : parseMxid(raw);
    if (!parsed.ok) {
      await recordAccess({ actor, action: "logs.search", outcome: "invalid", details: { kind } });
      throw new UsageError(parsed.message);
    }
    const q = parsed.query;
    const needles: Needles = { emails: [], msisdns: [], mxids: [], sids: [] };
    if (q.kind === "email") needles.emails.push(q.address);
    else if (q.kind === "msisdn") needles.msisdns.push(q.address);
    else if (q.kind === "mxid") needles.mxids.push(q.mxid);
    const target = q.kind === "email" ? { type: "email" as const, value: q.address } : q.kind === "msisdn" ? { type: "msisdn" as const, value: q.address } : { type: "mxid" as const, value: (q as { mxid: string }).mxid };

    if (q.kind === "mxid" && !(isRole(actor.role) && can(actor.role, "subjects.reverseLookup"))) {
      await recordAccess({ actor, action: "logs.search", target, outcome: "denied", details: { kind, permission: "subjects.reverseLookup" } });
      process.stderr.write(`Refused: role ${actor.role} lacks subjects.reverseLookup (searching by Matrix ID).\n`);
      return 1;
    }
    const label = values.server as string | undefined;
    const servers = label ? [await getServerByLabel(label)].filter((s) => s !== null) : await listServers();
    if (label && servers.length === 0) throw new UsageError(`No registered server labelled "${label}".`);
    const files = await findLogFiles(servers);
    const { findings, report } = await searchLogs(files, needles, {
      onProgress: (p) => process.stderr.write(`\rlog files ${p.filesDone}/${p.filesTotal}, ${Math.round(p.bytesRead / 1048576)}/${Math.round(p.bytesTotal / 1048576)} MiB`),
    });
    process.stderr.write("\n");
    await recordAccess({
      actor,
      action: "logs.search",
      target,
      outcome: findings.length ? "ok" : "not_found",
      details: { servers: servers.map((s) => s.label), filesSearched: report.filesSearched, matches: findings.length, problems: report.problems.length, linesScanned: report.linesScanned },
    });
    printJson({
      found: findings.length > 0,
      matches: findings.length,
      lastCopyExpiresAt: lastCopyExpiresAt(findings),
      overdueMatches: findings.filter((f) => f.overdue).length,
      files: report.files.map((f) => ({
        file: f.file, source: f.source, origin: f.origin, rotated: f.rotated, gzip: f.gzip, lines: f.lines,
        matches: f.matches, newestLineAt: f.newestLineAt, expiresAt: f.expiresAt, overdue: f.overdue,
      })),
      lines: findings.map((f) => ({ file: f.file, lineNo: f.lineNo, at: f.at, matched: f.matched, retentionClass: f.retentionClass, expiresAt: f.expiresAt, overdue: f.overdue })),
      problems: report.problems,
      filesSearched: report.filesSearched,
      linesScanned: report.linesScanned,
    });
    return 0;
  },
});
