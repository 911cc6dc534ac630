import type { ConsoleTx } from "@/lib/db";

// Request references "REQ-YYYY-NNNN", numbered per year of intake. Two intakes can read the same
// highest number at once (PostgreSQL, READ COMMITTED); the unique index on Request.reference then
// rejects the second insert, and the caller retries its whole transaction with a fresh number.

export function referencePrefix(year: number): string {
  return `REQ-${year}-`;
}

export function formatReference(year: number, n: number): string {
  return `${referencePrefix(year)}${String(n).padStart(4, "0")}`;
}

/** The next free reference for `year`, as seen by this transaction. */
export async function nextReference(tx: ConsoleTx, year: number): Promise<string> {
  const prefix = referencePrefix(year);
  // Compared numerically, not by ORDER BY: past 9999 the text order ("9999" > "10000") would be wrong.
  // A year's requests number in the hundreds, so reading their references is cheap.
  const rows = await tx.request.findMany({ where: { reference: { startsWith: prefix } }, select: { reference: true } });
  const max = rows.reduce((m, r) => Math.max(m, Number.parseInt(r.reference.slice(prefix.length), 10) || 0), 0);
  return formatReference(year, max + 1);
}

export function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && "code" in e && (e as { code: unknown }).code === "P2002";
}

/** Runs `attempt` again (a new transaction each time) while it fails on a unique clash. */
export async function retryOnUniqueClash<T>(attempt: () => Promise<T>, attempts = 30): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (!isUniqueViolation(e) || i >= attempts) throw e;
      // Small random back-off so colliding writers spread out.
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * Math.min(5 * i, 50))));
    }
  }
}
