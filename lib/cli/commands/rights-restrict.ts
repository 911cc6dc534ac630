import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { liftRestriction, restrictProcessing, RESTRICTION_GROUNDS, type RestrictionGround } from "@/lib/rights/restrictions";
import { parseSubjectInput } from "@/lib/subjects/parse";
import { queryValue } from "@/lib/subjects/present";

export default defineCommand({
  name: "rights:restrict",
  summary: "Restrict processing of one identifier (Art. 18), or lift a restriction with --lift <id> --reason <text> (needs rights.restrict).",
  options: {
    operator: { type: "string", description: "Staff e-mail with rights.restrict (required)." },
    kind: { type: "string", description: "email | phone | mxid" },
    value: { type: "string", description: "The identifier." },
    ground: { type: "string", description: RESTRICTION_GROUNDS.join(" | ") },
    request: { type: "string", description: "The request id this restriction belongs to (optional)." },
    lift: { type: "string", description: "Restriction id to lift." },
    reason: { type: "string", description: "Why it is lifted (no identifiers)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "rights.restrict");
    if (values.lift) {
      const r = await liftRestriction(actor, values.lift as string, String(values.reason ?? ""));
      printJson(r);
      return r.ok ? 0 : 1;
    }
    if (!(RESTRICTION_GROUNDS as readonly string[]).includes(String(values.ground))) throw new UsageError(`--ground must be one of ${RESTRICTION_GROUNDS.join(", ")}.`);
    const parsed = parseSubjectInput((values.kind as never) ?? "auto", String(values.value ?? ""));
    if (!parsed.ok || parsed.query.kind === "lookup_hash") throw new UsageError(parsed.ok ? "Give an e-mail address, phone number or Matrix ID." : parsed.message);
    const r = await restrictProcessing(actor, {
      identifier: { type: parsed.query.kind, value: queryValue(parsed.query) }, ground: values.ground as RestrictionGround, requestId: (values.request as string | undefined) ?? null,
    });
    printJson({ ok: true, ...r });
    return 0;
  },
});
