import crypto from "node:crypto";
import { csvFor, csvName } from "@/lib/exports/csv-files";
import { renderGuide } from "@/lib/exports/guide";
import { buildRecords, RECORD_KINDS } from "@/lib/exports/records";
import { REDACTION_POLICY_VERSION } from "@/lib/exports/redaction";
import { exportJsonSchema } from "@/lib/exports/schema";
import { SCHEMA_VERSION, type BuildInput, type BuiltPackage, type ExportFile } from "@/lib/exports/types";

// buildPackage: findings in, the package's files out (in memory, deterministic for the same
// input). Files: data.json, schema.json, guide.html, csv/<kind>.csv, who-accessed.csv and
// manifest.json (SHA-256 of every other file). Nothing here touches a database.

export const sha256 = (b: Buffer | string) => crypto.createHash("sha256").update(b).digest("hex");
const json = (v: unknown) => Buffer.from(JSON.stringify(v, null, 2) + "\n", "utf8");

function latest(isos: (string | null)[]): string | null {
  const valid = isos.filter((x): x is string => !!x).sort();
  return valid.length ? valid[valid.length - 1] : null;
}

export function buildPackage(input: BuildInput): BuiltPackage {
  const { findings, request, kind, accessHistory, generatedAt, accessProofs } = input;
  const { records, redactions, secrets } = buildRecords(findings, accessHistory);
  const lastLogCopyExpiresAt = latest(records.log_lines.map((l) => l.expiresAt as string | null));
  const applied: Record<string, number> = {};
  for (const r of redactions) applied[r.rule] = (applied[r.rule] ?? 0) + 1;

  const data = {
    schemaVersion: SCHEMA_VERSION,
    generatedAt: generatedAt.toISOString(),
    kind,
    request: { reference: request.reference },
    subject: {
      emails: findings.identifiers.emails, msisdns: findings.identifiers.msisdns, mxids: findings.identifiers.mxids,
      // A shared address (issue 8): said plainly, the other account never named.
      notices: (findings.scope?.linkedElsewhere ?? []).map((l) =>
        `Your ${l.type === "email" ? "e-mail address" : "phone number"} ${l.value} is now linked to another account (since ${new Date(l.sinceMs).toISOString().slice(0, 10)}). ` +
        "That account's data is not part of this copy; what we held about the address from the day before that date on is left out because it may be that account's.",
      ),
    },
    servers: findings.servers.map((s) => ({ serverName: s.server.serverName, searched: s.ok, problem: s.error ?? null })),
    records,
    secrets,
    redactionPolicy: { version: REDACTION_POLICY_VERSION, applied },
    lastLogCopyExpiresAt,
    disclosures: input.disclosures ?? [],
    restrictions: input.restrictions ?? [],
  };
  const guide = renderGuide({ kind, reference: request.reference, generatedAt, findings, records, secrets, redactions, lastLogCopyExpiresAt, disclosures: input.disclosures, restrictions: input.restrictions, withProofs: !!accessProofs });

  const files: ExportFile[] = [
    { name: "data.json", bytes: json(data), contentType: "application/json" },
    { name: "schema.json", bytes: json(exportJsonSchema()), contentType: "application/schema+json" },
    { name: "guide.html", bytes: Buffer.from(guide, "utf8"), contentType: "text/html; charset=utf-8" },
    ...(accessProofs ? [{ name: "who-accessed-proofs.json", bytes: json(accessProofs), contentType: "application/json" }] : []),
    ...RECORD_KINDS.map((k) => ({ name: csvName(k), bytes: Buffer.from(csvFor(k, records[k]), "utf8"), contentType: "text/csv; charset=utf-8" })),
  ].sort((a, b) => a.name.localeCompare(b.name));

  const listed = files.map((f) => ({ name: f.name, bytes: f.bytes.length, sha256: sha256(f.bytes) }));
  const manifest = {
    schemaVersion: SCHEMA_VERSION,
    generatedAt: generatedAt.toISOString(),
    request: request.reference,
    kind,
    redactionPolicyVersion: REDACTION_POLICY_VERSION,
    hashAlgorithm: "SHA-256",
    files: listed,
  };
  files.push({ name: "manifest.json", bytes: json(manifest), contentType: "application/json" });

  const counts = Object.fromEntries(RECORD_KINDS.map((k) => [k, records[k].length]));
  return {
    files,
    redactions,
    summary: {
      schemaVersion: SCHEMA_VERSION,
      redactionPolicyVersion: REDACTION_POLICY_VERSION,
      counts,
      redactionCounts: applied,
      files: [...listed, { name: "manifest.json", bytes: files[files.length - 1].bytes.length, sha256: sha256(files[files.length - 1].bytes) }],
      servers: findings.servers.map((s) => ({ label: s.server.label, serverName: s.server.serverName, ok: s.ok })),
      logProblems: findings.logs?.report.problems.length ?? 0,
      lastLogCopyExpiresAt,
      disclosures: data.disclosures.length,
      restricted: data.restrictions.length > 0,
    },
  };
}
