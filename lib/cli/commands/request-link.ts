import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { INVALID } from "@/lib/cli/form";
import { resolveOperator } from "@/lib/cli/operator";
import { operatorOption, requestIdFromRef } from "@/lib/erasure/bulk-cli";
import { linkSubject } from "@/lib/subjects/link";
import { SEARCH_KINDS } from "@/lib/subjects/reveal";

// Find a person's "Link to request": attach an identifier to an open request (no reveal needed),
// through the same function (lib/subjects/link.ts): Matrix IDs need the DPO's reverse-lookup
// permission, lookup hashes cannot be linked, logged as request.subject.link with the pseudonym.

export default defineCommand({
  name: "request:link",
  summary: "Link a person (e-mail, phone number or Matrix ID) to an open request (needs subjects.reveal).",
  options: {
    ...operatorOption,
    request: { type: "string", description: "Request reference or id (open)." },
    email: { type: "string", description: "The person's e-mail address." },
    phone: { type: "string", description: "The person's phone number as people type it (national form assumes GB)." },
    mxid: { type: "string", description: "The person's Matrix ID (DPO only)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "subjects.reveal");
    const given = (["email", "phone", "mxid"] as const).filter((k) => typeof values[k] === "string");
    if (given.length !== 1) throw new UsageError("Give exactly one of --email, --phone or --mxid.");
    const kind = given[0];
    if (!(SEARCH_KINDS as readonly string[]).includes(kind)) throw new UsageError(`Unknown kind ${kind}.`);
    const requestId = await requestIdFromRef(values.request as string | undefined);
    const r = await linkSubject({ actor, role: actor.role as never }, { kind, value: values[kind] as string, requestId });
    if (!r.ok) {
      printJson({ ok: false, code: r.errors ? "invalid" : "refused", message: r.message, errors: r.errors });
      return r.errors ? INVALID : 1;
    }
    printJson({ ok: true, requestId, message: r.message });
    return 0;
  },
});
