import type { WitnessedHead } from "@/lib/audit/witness-store";

// The witnessed-heads part of verifyAccessLog (lib/audit/verify.ts): while the entries stream
// through the Merkle frontier, each witnessed head's root must be the root at its size
// ("inconsistent with a witnessed head"); heads beyond the end mean the log shrank.

type Report = (p: { seq: number; reason: string; detail?: string }) => void;
/** The tree so far: its size and, lazily, its root. */
type Tree = { size: number; root(): Buffer };

export class WitnessedHeadsCheck {
  private heads: WitnessedHead[];
  private i = 0;
  constructor(heads: WitnessedHead[], private report: Report) {
    this.heads = [...heads].sort((a, b) => a.size - b.size);
    while (this.i < this.heads.length && this.heads[this.i].size === 0) this.i++;
  }

  /** After each leaf: compare every head of exactly this size. */
  atSize(frontier: Tree): void {
    for (; this.i < this.heads.length && this.heads[this.i].size <= frontier.size; this.i++) {
      const w = this.heads[this.i];
      if (w.size === frontier.size && frontier.root().toString("hex") !== w.root) {
        this.report({
          seq: w.size,
          reason: "inconsistent with a witnessed head",
          detail: `the root of entries 1..${w.size} differs from the ${w.kind} head witnessed at ${w.witnessedAt} (${w.source}): entries up to seq ${w.size} were rewritten, reordered or replaced`,
        });
      }
    }
  }

  /** After the last entry: heads larger than the log. */
  finish(frontier: Tree): void {
    for (; this.i < this.heads.length; this.i++) {
      const w = this.heads[this.i];
      this.report({
        seq: frontier.size + 1,
        reason: "log shrank below a witnessed head",
        detail: `${w.kind === "observed" ? "an observed" : "a signed"} head witnessed at ${w.witnessedAt} (${w.source}) covers ${w.size} entries; the log holds ${frontier.size}`,
      });
    }
  }

  private newest(): WitnessedHead | null {
    return this.heads.reduce<WitnessedHead | null>((a, w) => (!a || w.witnessedAt > a.witnessedAt ? w : a), null);
  }

  warnings(maxAgeMs: number, now = Date.now()): string[] {
    const newest = this.newest();
    if (!newest) return ["no witnessed head found: the witness directory is empty"];
    if (now - Date.parse(newest.witnessedAt) > maxAgeMs) {
      return [`no head witnessed since ${newest.witnessedAt} (more than ${Math.round(maxAgeMs / 3600_000)} h): is audit:witness still running?`];
    }
    return [];
  }

  summary() {
    return { heads: this.heads.length, newestSize: this.heads.at(-1)?.size ?? 0, newestWitnessedAt: this.newest()?.witnessedAt ?? null };
  }
}
