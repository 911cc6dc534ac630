import { z } from "zod";
import { REFUSAL_GROUNDS } from "@/lib/requests/clock";
import { paginationSchema, searchParamsObject, sortSchema, textParam } from "@/lib/validation";
import { CHANNELS, IDENTIFICATION_METHODS, REQUEST_TYPES } from "@/lib/requests/catalogue";
import { CLOSED_STATES, REQUEST_STATES, type OpenState } from "@/lib/requests/states";
import { EXTENSION_REASON_MIN, parseCalendarDate, startOfUtcDay } from "@/lib/requests/due-date";
import { noIdentifiers } from "@/lib/free-text";

// Input schemas for the request register's actions and URL. Messages for people live here.

const id = z.string().trim().min(1, "Missing request id.").max(64);

export const receivedDateSchema = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const d = parseCalendarDate(v);
    if (!d) {
      ctx.addIssue({ code: "custom", message: "Enter the date the request was received (YYYY-MM-DD)." });
      return z.NEVER;
    }
    return d;
  })
  // Calendar dates are UTC (lib/requests/due-date.ts); a future receipt would push the deadline out.
  .refine((d) => d.getTime() <= startOfUtcDay(new Date()).getTime(), "The received date cannot be in the future.");

export const createRequestSchema = z
  .object({
    type: z.enum(REQUEST_TYPES, { message: "Choose the kind of request." }),
    requesterName: z.string().trim().min(1, "Enter the requester's name.").max(200, "At most 200 characters."),
    requesterContact: z
      .string()
      .trim()
      .min(3, "Enter how to reach the requester (e-mail, phone or address).")
      .max(320, "At most 320 characters."),
    channel: z.enum(CHANNELS, { message: "Choose how the request arrived." }),
    identificationMethod: z.enum(IDENTIFICATION_METHODS, { message: "Choose how the requester was identified." }),
    identificationNote: z.string().trim().max(500, "At most 500 characters.").optional().default(""),
    receivedAt: receivedDateSchema,
    summary: z.string().trim().max(4000, "At most 4000 characters.").optional().default(""),
  })
  .superRefine((v, ctx) => {
    if (v.identificationMethod === "other" && v.identificationNote.length < 5) {
      ctx.addIssue({ code: "custom", path: ["identificationNote"], message: "Describe how the requester was identified." });
    }
  });
export type CreateRequestInput = z.infer<typeof createRequestSchema>;

export const assignRequestSchema = z.object({
  id,
  // "" from the form's "Unassigned" option.
  assigneeId: z
    .string()
    .trim()
    .max(64)
    .transform((v) => v || null),
});

const OPEN_STATES = REQUEST_STATES.filter((s) => !(CLOSED_STATES as readonly string[]).includes(s)) as [
  OpenState,
  ...OpenState[],
];

export const changeStateSchema = z.object({
  id,
  to: z.enum(OPEN_STATES, { message: "Choose the new state." }),
});

export const extendDeadlineSchema = z.object({
  id,
  reason: z
    .string()
    .trim()
    .min(EXTENSION_REASON_MIN, `Give the reason in at least ${EXTENSION_REASON_MIN} characters; it is shown to the requester.`)
    .max(2000, "At most 2000 characters.")
    .superRefine(noIdentifiers("reason (it goes into the access log)")),
});

export const closeRequestSchema = z
  .object({
    id,
    state: z.enum(CLOSED_STATES, { message: "Choose how the request ends." }),
    outcome: z.string().trim().min(10, "Describe the outcome in at least 10 characters.").max(4000, "At most 4000 characters."),
    // Only for "rejected": the Art. 12(5)/(6) ground, recorded on the request and in the log.
    refusalGround: z.preprocess((v) => (v === "" ? undefined : v), z.enum(REFUSAL_GROUNDS).optional()),
  })
  .superRefine((v, ctx) => {
    if (v.state === "rejected" && !v.refusalGround) {
      ctx.addIssue({ code: "custom", path: ["refusalGround"], message: "Choose the ground for refusing the request." });
    }
  });


export const REQUEST_SORTS = ["reference", "type", "state", "receivedAt", "due"] as const;
export type RequestSort = (typeof REQUEST_SORTS)[number];

/** The register's URL state (shared pagination and sort pieces); malformed fields fall back to defaults. */
export const requestSearchSchema = paginationSchema.extend(sortSchema(REQUEST_SORTS, "due", "asc").shape).extend({
  type: z.enum(REQUEST_TYPES).optional().catch(undefined),
  state: z.enum([...REQUEST_STATES, "open"]).optional().catch(undefined),
  // "me", "unassigned" or a staff id (cuid).
  assignee: z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/).optional().catch(undefined),
  overdue: z
    .enum(["1", "true", "0", "false"])
    .transform((v) => v === "1" || v === "true")
    .optional()
    .catch(undefined),
  q: textParam(40),
});
export type RequestSearch = z.infer<typeof requestSearchSchema>;

export function parseRequestSearch(params: Record<string, string | string[] | undefined>): RequestSearch {
  return requestSearchSchema.parse(searchParamsObject(params));
}

/** What every request form's action returns: field errors under their inputs, or a message. */
export type ActionState = {
  ok?: boolean;
  message?: string | null;
  errors?: Record<string, string[] | undefined>;
  /** The submitted text, so a form React resets after the action shows it again. */
  values?: Record<string, string>;
};
