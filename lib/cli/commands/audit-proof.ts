import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { db } from "@/lib/db";
import { recordAccess } from "@/lib/audit/log";
import { resolveOperator } from "@/lib/cli/operator";
import { latestSth, proveConsistency, proveInclusion } from "@/lib/audit/proofs";

// The auditor's proofs on the command line (the same as /api/audit/{sth,consistency,inclusion}):
//   audit:proof --operator a@x                         latest signed tree head
//   audit:proof --operator a@x --first 100 [--second N] consistency proof (N: latest head's size)
//   audit:proof --operator a@x --seq 42 [--size N]      inclusion proof of entry 42
// Each is logged as accessLog.proof.

const int = (v: unknown, name: string) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number`);
  return n;
};

export default defineCommand({
  name: "audit:proof",
  summary: "Latest signed tree head, a consistency proof between two sizes, or an inclusion proof for an entry (JSON).",
  options: {
    operator: { type: "string", description: "Staff e-mail with accessLog.verify." },
    first: { type: "string", description: "Consistency proof from this tree size." },
    second: { type: "string", description: "… to this size (default: the latest signed head's)." },
    seq: { type: "string", description: "Inclusion proof for this entry." },
    size: { type: "string", description: "… in the tree of this size (default: the latest signed head's)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "accessLog.verify");
    const first = int(values.first, "first");
    const seq = int(values.seq, "seq");
    if (first !== undefined && seq !== undefined) throw new UsageError("give --first or --seq, not both");
    let out: unknown;
    try {
      if (first !== undefined) out = await proveConsistency(db(), first, int(values.second, "second"));
      else if (seq !== undefined) out = await proveInclusion(db(), seq, int(values.size, "size"));
      else out = { sth: await latestSth(db()) };
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    await recordAccess({ actor, action: "accessLog.proof", outcome: "ok", details: { first, second: values.second ?? null, seq, size: values.size ?? null } });
    printJson(out);
    return 0;
  },
});
