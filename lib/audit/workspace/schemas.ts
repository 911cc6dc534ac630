import { z } from "zod";
import { paginationSchema, searchParamsObject, sortSchema } from "@/lib/validation";

// What identifies a sample: seed, size and cut-off (requests registered up to then). The page's
// URL, the evidence and CSV routes and the CLI parse them here, so they accept and refuse the same
// input with the same messages. The cut-off is kept as canonical ISO text (milliseconds, Z), the
// form every log entry, URL and file carries.

export const SEED_PATTERN = /^[\w.-]{1,64}$/;
export const SEED_MESSAGE = "The seed may hold 1-64 letters, digits, '.', '-' or '_'.";
export const N_MESSAGE = "Choose between 1 and 100 requests.";
export const CUTOFF_MESSAGE = "The cut-off must be a UTC time such as 2026-12-01T09:30:00Z, or empty for now.";
export const FUTURE_CUTOFF_MESSAGE = "The cut-off is in the future: requests registered later would change the sample. Leave it empty for now.";

const CUTOFF_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** A cut-off as typed or carried in a URL → canonical ISO text; empty → undefined (now). */
export const cutoffSchema = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (!v) return undefined;
    const t = Date.parse(v);
    // Date.parse rolls impossible dates over (30 February -> 2 March): the text must survive a round trip.
    if (!CUTOFF_TEXT.test(v) || Number.isNaN(t) || new Date(t).toISOString().slice(0, 19) !== v.slice(0, 19)) {
      ctx.addIssue({ code: "custom", message: CUTOFF_MESSAGE });
      return z.NEVER;
    }
    if (t > Date.now()) {
      ctx.addIssue({ code: "custom", message: FUTURE_CUTOFF_MESSAGE });
      return z.NEVER;
    }
    return new Date(t).toISOString();
  });

export const sampleParamsSchema = z.object({
  seed: z.string({ message: SEED_MESSAGE }).trim().regex(SEED_PATTERN, SEED_MESSAGE),
  n: z
    .union([z.number(), z.string().trim()])
    .optional()
    .transform((v) => (v === undefined || v === "" ? 10 : Number(v)))
    .pipe(z.number({ message: N_MESSAGE }).int(N_MESSAGE).min(1, N_MESSAGE).max(100, N_MESSAGE)),
  cutoff: cutoffSchema,
});
export type SampleParamsInput = z.input<typeof sampleParamsSchema>;
/** A sample's parameters; cutoff undefined = now (the caller fixes it before drawing). */
export type SampleParams = z.output<typeof sampleParamsSchema>;

/** The first problem with the parameters, as one message for the page, the route or the CLI. */
export function sampleParamsError(e: z.ZodError): string {
  return e.issues[0]?.message ?? "Check the sample's seed, size and cut-off.";
}

/** A download route's sample parameters from its query string, or the 400 response naming what is wrong. */
export function sampleParamsFromRequest(request: Request): SampleParams | Response {
  const parsed = sampleParamsSchema.safeParse(searchParamsObject(new URL(request.url).searchParams));
  if (!parsed.success) return Response.json({ error: { code: "bad-request", message: sampleParamsError(parsed.error) } }, { status: 400 });
  return parsed.data;
}

/** The URL query of a sample (the page, its CSV and its evidence pack). */
export function sampleQuery(s: { seed: string; n: number; cutoff: string }): string {
  return new URLSearchParams({ seed: s.seed, n: String(s.n), cutoff: s.cutoff }).toString();
}

export const TRAIL_SORTS = ["seq", "at", "action", "actorLabel", "outcome"] as const;
export type TrailSort = (typeof TRAIL_SORTS)[number];

/** The trail page's URL: paging and sort (default: log order). */
export const trailSearchSchema = paginationSchema.extend(sortSchema(TRAIL_SORTS, "seq", "asc").shape);
export type TrailSearch = z.infer<typeof trailSearchSchema>;

/** A request id from a URL as an access-log detail: as is when it looks like an id, else null. */
export function loggableRequestId(id: string): string | null {
  return /^[\w-]{1,64}$/.test(id) ? id : null;
}
