import { FIELD_TEXT, KIND_TITLES } from "@/lib/exports/guide-fields";
import { esc, page, section, table } from "@/lib/exports/guide-html";
import { RECORD_KINDS, type Records, type Secret } from "@/lib/exports/records";
import { csvName } from "@/lib/exports/csv-files";
import { REDACTION_POLICY_VERSION } from "@/lib/exports/redaction";
import { SCHEMA_VERSION, type PackageKind, type Redaction } from "@/lib/exports/types";
import type { SubjectFindings } from "@/lib/subjects/types";

// guide.html: the plain-English companion of the package, in the voice of the privacy notice
// (seed/privacy-notice.md): what a binding is, where each record came from, who received it, how
// long each kind is kept, what was left out and why, the rights the person has, how to complain,
// and what every field means.

export type GuideInput = {
  kind: PackageKind; reference: string; generatedAt: Date; findings: SubjectFindings;
  records: Records; secrets: Secret[]; redactions: Redaction[]; lastLogCopyExpiresAt: string | null;
  disclosures?: { reference: string; disclosedOn: string; recipient: string; legalBasis: string; whatShared: string }[];
  restrictions?: { ground: string; since: string }[];
  /** who-accessed-proofs.json is in the package. */
  withProofs?: boolean;
};

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "unknown");
const RETENTION: [string, string][] = [
  ["Bindings (links)", "Until you remove them with a Matrix client (or your homeserver removes them when your account is deactivated). They are then inaccessible straight away and deleted within 30 days."],
  ["Tombstones (records of a removed link)", "Only until every replication peer has received the removal, so the link disappears everywhere."],
  ["Validation sessions and their codes", "5 days; they are only needed while you prove you own the address."],
  ["Invites", "Until they are delivered: when someone links the invited address to a Matrix ID, the invite is handed over and deleted."],
  ["Identity-server account and accepted terms", "While you use the identity server's v2 API; you can ask us to delete it."],
  ["Lookup lines in the identity server's log", "Not longer than 7 days."],
  ["HAProxy (front door) logs", "Up to 60 days."],
  ["Connection information (IP addresses)", "Not longer than 180 days."],
];

function intro(g: GuideInput): string {
  const title = g.kind === "portability" ? "A copy of your data (data portability)" : "Your data held by our identity servers (right of access)";
  return `<h1>${esc(title)}</h1>
<p>Request <strong>${esc(g.reference)}</strong>, prepared on ${esc(g.generatedAt.toISOString().replace("T", " ").slice(0, 16))} UTC.
We have tried to use plain English. This page explains every file in this package and every field in it.</p>
<p>A Matrix <strong>identity server</strong> lets people look up a Matrix ID from a <strong>third party identifier</strong>: an email address or a telephone number.
When you prove you own an address and ask us to link it with your Matrix ID, we store that link, called a <strong>binding</strong>.
Anyone who knows your address can then find your Matrix ID. It does not work the other way round: people who only know your Matrix ID cannot find your addresses.</p>${sharedAddresses(g)}`;
}

/** An address now linked to another account (issue 8): said plainly, the other account never named. */
function sharedAddresses(g: GuideInput): string {
  const shared = g.findings.scope?.linkedElsewhere ?? [];
  if (shared.length === 0) return "";
  return `\n<p><strong>An address of yours is now linked to another account.</strong> ${shared.map((l) =>
    `${esc(l.value)} has been linked to a different Matrix account since ${esc(new Date(l.sinceMs).toISOString().slice(0, 10))}.`).join(" ")}
That account is not yours as far as your request showed, so nothing about it is in this package; what we held about the address from the day before that date on is left out too, because it may belong to that account.</p>`;
}

function summary(g: GuideInput): string {
  const rows = RECORD_KINDS.map((k) => [KIND_TITLES[k], g.records[k].length, csvName(k)]);
  const servers = g.findings.servers.map((s) => [s.server.serverName, s.ok ? "searched" : `could not be read: ${s.error ?? "unknown problem"}`]);
  const problems = g.findings.logs?.report.problems ?? [];
  return table("What we found", ["Kind of record", "How many", "File"], rows) +
    table("Identity servers we searched", ["Server", "Result"], servers) +
    (problems.length ? `<p class="note">${problems.length} log file(s) could not be read completely; we searched them as far as possible.</p>` : "");
}

function origin(g: GuideInput): string {
  const byOrigin = g.records.bindings.map((b) => [b.medium, b.address, b.server, b.originServer, b.state]);
  return `<p>Our identity servers form a <strong>closed federation</strong>: when you link an address on one of them, the link is copied to the others.
The server where you proved you own the address is the <strong>origin server</strong> (<code>originServer</code>); the other servers hold a copy it sent them.
Each record says which server holds it (<code>server</code>) and which database table it came from (<code>table</code>).</p>
${table("Where each binding came from", ["Medium", "Address", "Held by", "Origin server", "State"], byOrigin)}`;
}

function recipients(g: GuideInput): string {
  const rows = g.records.recipients.map((r) => [r.recipient, r.kind === "homeserver" ? "Your homeserver" : `Replication peer of ${r.server}`, r.active === null ? "" : r.active ? "yes" : "no"]);
  return `<p>Your bindings are shared with the other identity servers in our federation (<strong>replication peers</strong>), and with anyone who looks up your address: that is the purpose of the service.
Your Matrix <strong>homeserver</strong> also keeps its own copy of which identity server each of your addresses was linked on; ask your homeserver's operator for it.</p>
${table("Recipients", ["Recipient", "Kind", "Currently active"], rows)}`;
}

function retention(g: GuideInput): string {
  const last = g.lastLogCopyExpiresAt;
  const logs = g.records.log_lines.length
    ? `<p>${g.records.log_lines.length} line(s) in our logs mention you. The last of these copies will be deleted by <strong>${esc(day(last))}</strong> (each line's date is in <code>expiresAt</code>).</p>`
    : `<p>No line in the log files we keep mentions you.</p>`;
  return table("How long we keep each kind of data", ["Kind of data", "How long"], RETENTION) + logs;
}

function leftOut(g: GuideInput): string {
  const secrets = g.secrets.map((s) => [s.server, s.statement]);
  const counts = new Map<string, number>();
  for (const r of g.redactions) counts.set(r.rule, (counts.get(r.rule) ?? 0) + 1);
  const rules: [string, string][] = [
    ["inviter", "The Matrix ID of someone who invited you is shown as \"another Matrix user\" (the room is shown)."],
    ["invitee-address", "The addresses of people you invited are partly hidden, for example b•••@e••••.com."],
    ["embedded-records", "Where your data appears inside other people's records, we tell you the number of records on each server but not whose they are."],
    ["log-third-party", "Other people's email addresses, Matrix IDs and phone numbers in log lines are partly hidden."],
    ["log-secret", "Secret values in log lines (codes, client secrets, access tokens) are replaced by [withheld]."],
  ];
  return `<p>Some records mention other people. The law asks us not to harm their rights when we give you a copy, so we follow a fixed policy (<code>${esc(REDACTION_POLICY_VERSION)}</code>):</p>
${table("Other people's data", ["What we did", "Times applied"], rules.map(([k, t]) => [t, counts.get(k) ?? 0]))}
<p>Secrets that protect your account are never included, so that nobody who sees this package can use them. They exist, and we tell you so:</p>
${table("Secrets held (values never disclosed)", ["Server", "What exists"], secrets)}
${g.records.embedded_in_other_records.map((e) => `<p class="note">${esc(e.statement)}</p>`).join("\n")}`;
}

function whoAccessed(g: GuideInput): string {
  return `<p>Our staff can see the links between Matrix IDs and addresses only in roles that need it, and every look is recorded. This is every recorded action on your data: the role, what was done and why. We do not name staff.</p>
${table("Who accessed your data", ["No.", "When (UTC)", "Role", "Action", "Purpose", "Outcome"], g.records.access_history.map((h) => [h.seq ?? "", h.at, h.role, h.action, h.purpose ?? "", h.outcome]))}${g.withProofs ? `
<h3>Checking that these records are in our log and stay there</h3>
<p>Our access log is a Merkle tree (the same construction as Certificate Transparency, RFC 6962), and we sign its state, a "tree head", regularly; auditors outside our control keep copies of the signed heads.
<code>who-accessed-proofs.json</code> holds, for each row above, the record's number in our log (the "No." column, <code>seq</code> in <code>who-accessed.csv</code>), its fingerprint (entryHash) and an inclusion proof: a short list of hashes showing that this record is part of the log under the signed tree head in the same file. Match each row to its proof by that number.
Records made after that head are listed as "pending"; ask us for their proof later.</p>
<p>What the proofs show, and what they cannot: each proof shows that a record listed here is in our log, and that once the head was signed we could not remove or change it without this being detected.
They cannot show that this list is complete: a record we had left out would simply not be here, and have no proof. Checking that nothing was left out needs our whole log; an auditor or a supervisory authority can do that for you.</p>
<p>To check: get our public key (checkpoint-ed25519.pub) from our website, then run <code>npm run cli -- audit:check-proofs --file who-accessed-proofs.json --public-key checkpoint-ed25519.pub</code> with Custodian (it names every problem it finds, including a record listed as pending although the signed head already covers it), or any RFC 6962 library (leaf = SHA-256 of the byte 0x00 followed by the 32 bytes of entryHash).
Without our public key the check only shows that the file agrees with itself, not that we signed it, and says so (exit code 3 instead of 0). Keep the file: an auditor or a supervisory authority can use it later to confirm that none of these records was removed or changed.</p>` : ""}`;
}

function disclosed(g: GuideInput): string {
  const list = g.disclosures ?? [];
  const restricted = (g.restrictions ?? []).map((r) => `<p class="note">Processing of your data is restricted (${esc(r.ground)}) since ${esc(r.since)}: we only store it until the restriction is lifted.</p>`).join("\n");
  if (list.length === 0) return `<p>We have not shared your data with any third party outside the identity servers' own operation (privacy notice 3.4).</p>\n${restricted}`;
  return `<p>In exceptional cases the law or an emergency requires us to share data with a third party (privacy notice 3.4). These are the times we did, listed in <code>data.json</code> as <code>disclosures</code>:</p>
${table("Disclosures to third parties", ["Date", "Recipient", "Legal basis", "What was shared", "Reference"], list.map((d) => [d.disclosedOn, d.recipient, d.legalBasis, d.whatShared, d.reference]))}
${restricted}`;
}

function rights(): string {
  return `<p>You have the right to be informed, of access, to rectification, to erasure, to restrict processing, to data portability, to object, and rights in relation to automated decision making and profiling.
You can remove your addresses at any time with a Matrix client (such as Element): they become inaccessible across our identity servers straight away and are deleted within 30 days.
For questions, email <a href="mailto:support@element.io">support@element.io</a>; for another copy of your data, <a href="mailto:dpo@element.io">dpo@element.io</a>.</p>
<p>If you think our collection or use of your information is unfair, misleading or inappropriate, tell us at <a href="mailto:support@element.io">support@element.io</a>.
You can also complain to the supervisory authority, the ICO: <a href="https://www.ico.org.uk/concerns">https://www.ico.org.uk/concerns</a>.</p>`;
}

function fields(): string {
  const parts = RECORD_KINDS.map((k) => `<h3 id="fields-${k}">${esc(KIND_TITLES[k])} — <code>${esc(csvName(k))}</code></h3>\n` +
    table(`Fields of ${csvName(k)} and of records.${k} in data.json`, ["Field", "Meaning"], Object.entries(FIELD_TEXT[k])));
  return `<p><code>data.json</code> holds every record in one machine-readable file (schema <code>${esc(SCHEMA_VERSION)}</code>, described formally in <code>schema.json</code>); each CSV file holds one kind of record.
Times are given in UTC (ISO 8601, for example 2026-11-27T14:12:09.703Z) together with the number the server stored and its unit: most are milliseconds, invite times are seconds.
In the CSV files, a value that starts with =, +, -, @ or a tab gets an apostrophe in front (for example <code>'@you:example.org</code>) so that spreadsheet programs show it as text instead of running it; <code>data.json</code> has the values unchanged.
<code>manifest.json</code> lists every file with its SHA-256 checksum so you can check nothing was changed.</p>\n${parts.join("\n")}`;
}

export function renderGuide(g: GuideInput): string {
  const body = [
    intro(g),
    section("summary", "In short", summary(g)),
    section("origin", "Where your data came from", origin(g)),
    section("recipients", "Who received your data", recipients(g)),
    section("retention", "How long we keep it", retention(g)),
    section("left-out", "What we left out, and why", leftOut(g)),
    section("who-accessed", "Who accessed your data", whoAccessed(g)),
    section("disclosures", "Shared with third parties", disclosed(g)),
    section("rights", "Your rights and how to complain", rights()),
    section("fields", "The files and every field explained", fields()),
  ].join("\n");
  return page(`Your data — request ${g.reference}`, body);
}
