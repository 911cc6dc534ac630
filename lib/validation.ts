import { z } from "zod";

// Shared zod pieces for URL search params. Every piece ends in .catch(), so a hand-edited or
// stale URL falls back to the defaults instead of crashing the page (STYLE.md, practice 13).
// Pages: `schema.parse(searchParamsObject(await searchParams))` — parse never throws here.

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;
export const PAGE_SIZES = [10, 25, 50, 100] as const;

export const paginationSchema = z.object({
  page: z.coerce.number().int().min(1).max(10_000_000).catch(1),
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).catch(DEFAULT_PAGE_SIZE),
});
export type Pagination = z.infer<typeof paginationSchema>;

export const sortDirSchema = z.enum(["asc", "desc"]);
export type SortDir = z.infer<typeof sortDirSchema>;

/** `sort` (one of the sortable column ids) and `dir`, with defaults for bad or missing values. */
export function sortSchema<const T extends readonly [string, ...string[]]>(columns: T, defaultSort: T[number], defaultDir: SortDir) {
  return z.object({
    sort: z.enum(columns).catch(defaultSort as never),
    dir: sortDirSchema.catch(defaultDir),
  });
}

/** An optional free-text filter: trimmed, empty → undefined, too long or malformed → undefined. */
export function textParam(max = 200) {
  return z
    .string()
    .trim()
    .max(max)
    .transform((v) => (v === "" ? undefined : v))
    .optional()
    .catch(undefined);
}

/** An optional calendar date "YYYY-MM-DD" (UTC); anything else → undefined. */
export const dateParam = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v))
  .optional()
  .catch(undefined);

/** Start of a "YYYY-MM-DD" day in UTC. */
export function startOfUtcDay(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

/** Start of the day after a "YYYY-MM-DD" day in UTC (use with `lt` for an inclusive "to" date). */
export function startOfNextUtcDay(day: string): Date {
  return new Date(startOfUtcDay(day).getTime() + 86_400_000);
}

/** Next's searchParams object → plain strings (the first value of repeated keys). */
export function searchParamsObject(sp: Record<string, string | string[] | undefined> | URLSearchParams): Record<string, string> {
  if (sp instanceof URLSearchParams) return Object.fromEntries([...new Set(sp.keys())].map((k) => [k, sp.get(k) ?? ""]));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(sp)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === "string") out[k] = first;
  }
  return out;
}
