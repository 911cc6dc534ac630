import { z } from "zod";
import { COMPLAINT_STATES } from "@/lib/complaints/catalogue";
import { paginationSchema, searchParamsObject, sortSchema } from "@/lib/validation";

export const COMPLAINT_SORTS = ["resolutionDue", "firstResponseDue", "receivedAt", "reference", "severity"] as const;
export type ComplaintSort = (typeof COMPLAINT_SORTS)[number];

/** The queue's URL state; malformed fields fall back to defaults. */
export const complaintSearchSchema = paginationSchema.extend(sortSchema(COMPLAINT_SORTS, "resolutionDue", "asc").shape).extend({
  state: z.enum([...COMPLAINT_STATES, "unresolved"]).optional().catch(undefined),
  mine: z.enum(["1"]).optional().catch(undefined),
});

export function parseComplaintSearch(sp: Record<string, string | string[] | undefined>) {
  return complaintSearchSchema.parse(searchParamsObject(sp));
}
