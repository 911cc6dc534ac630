import crypto from "node:crypto";
import fs from "node:fs";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { INVALID } from "@/lib/cli/form";
import { resolveOperator } from "@/lib/cli/operator";
import { proposeNotice } from "@/lib/retention/notices";

// retention:notice-propose: an admin records a new version of the privacy notice as proposed, with
// its retention limit for every class (--limit lookup=7 --limit haproxy=60 ...), optionally the
// sections (--section lookup=3.2.2) and the notice's text (--text-file, hashed with SHA-256) or its
// SHA-256 (--sha256). A different admin approves it with retention:notice-approve. Exit 2 with
// field errors on bad input (nothing changed), 1 when refused.

function pairs(list: unknown, option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of (list as string[] | undefined) ?? []) {
    const m = /^([^=]+)=(.*)$/.exec(item);
    if (!m) throw new UsageError(`--${option} takes <class>=<value>, e.g. --${option} haproxy=${option === "limit" ? "60" : "3.2.2"}; not "${item}".`);
    if (m[1].trim() in out) throw new UsageError(`--${option} ${m[1].trim()} is given twice.`);
    out[m[1].trim()] = m[2];
  }
  return out;
}

export default defineCommand({
  name: "retention:notice-propose",
  summary: "Propose a new privacy-notice version with its retention limits (admin); a second admin approves it with retention:notice-approve.",
  options: {
    operator: { type: "string", description: "Staff e-mail (retention.notice: an administrator)." },
    version: { type: "string", description: "The notice's version label, e.g. 1.2.0 (new)." },
    effective: { type: "string", description: "The day it takes effect, YYYY-MM-DD (after every approved version's)." },
    limit: { type: "string", multiple: true, description: "<class>=<days>, once per class: lookup, haproxy, application, connection (all four)." },
    section: { type: "string", multiple: true, description: "<class>=<section of the notice>, e.g. lookup=3.2.2 (optional)." },
    "text-file": { type: "string", description: "The notice's text: its SHA-256 is recorded." },
    sha256: { type: "string", description: "Or the SHA-256 (hex) of the notice's text." },
    reason: { type: "string", description: "What changed and why (10 to 500 characters)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "retention.notice");
    if (values["text-file"] && values.sha256) throw new UsageError("Give --text-file or --sha256, not both.");
    let sha256 = values.sha256 as string | undefined;
    if (values["text-file"]) {
      const file = String(values["text-file"]);
      if (!fs.existsSync(file)) throw new UsageError(`--text-file: no file ${file}.`);
      sha256 = crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
    }
    const r = await proposeNotice(actor, {
      version: values.version, effectiveFrom: values.effective, reason: values.reason, textSha256: sha256,
      limits: pairs(values.limit, "limit"), sections: pairs(values.section, "section"),
    });
    printJson(r);
    return r.ok ? 0 : r.code === "invalid" ? INVALID : 1;
  },
});
