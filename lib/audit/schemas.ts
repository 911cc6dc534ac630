import { z } from "zod";
import { dateParam, paginationSchema, sortSchema, textParam } from "@/lib/validation";

// The access-log page's URL (also the CSV export's query string): filters, sort, paging.
// "target" is a pseudonym (or its first 8+ hex characters as shown in the table), never an
// identifier: identifiers are converted on the server by lib/audit/actions.ts#findTargetPseudonym.

export const ACCESS_LOG_SORTS = ["at", "seq", "action", "actorLabel", "outcome"] as const;
export type AccessLogSort = (typeof ACCESS_LOG_SORTS)[number];

export const ACCESS_LOG_OUTCOMES = ["ok", "denied", "error", "not_found", "invalid"] as const;
export const ACCESS_LOG_ROLES = ["admin", "dpo", "support", "auditor", "system"] as const;

export const accessLogFilterSchema = z.object({
  action: textParam(100),
  actor: textParam(200),
  role: z.enum(ACCESS_LOG_ROLES).optional().catch(undefined),
  outcome: z.enum(ACCESS_LOG_OUTCOMES).optional().catch(undefined),
  requestId: textParam(100),
  from: dateParam,
  to: dateParam,
  target: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[0-9a-f]{8,64}$/)
    .optional()
    .catch(undefined),
});
export type AccessLogFilter = z.infer<typeof accessLogFilterSchema>;

export const accessLogSearchSchema = paginationSchema
  .extend(sortSchema(ACCESS_LOG_SORTS, "seq", "desc").shape)
  .extend(accessLogFilterSchema.shape);
export type AccessLogSearch = z.infer<typeof accessLogSearchSchema>;

/** The auditor's "who accessed this person?" form: the identifier is posted, never put in a URL. */
export const findTargetSchema = z.object({
  targetType: z.enum(["email", "msisdn", "mxid", "ip", "domain", "homeserver"], { message: "Choose what kind of identifier this is." }),
  identifier: z.string().trim().min(3, "Enter the e-mail address, phone number, Matrix ID, IP address or range, domain or homeserver.").max(320, "Too long."),
});

/** Only the filters that are set, for URLs and access-log details. */
export function activeFilters(f: AccessLogFilter): Partial<Record<keyof AccessLogFilter, string>> {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as Partial<Record<keyof AccessLogFilter, string>>;
}
