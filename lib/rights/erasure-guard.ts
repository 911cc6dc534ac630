type SubjectIds = { emails: string[]; msisdns: string[]; mxids: string[] };
import { activeRestrictions, restrictedMessage, type ActiveRestriction } from "@/lib/rights/restrictions";
import { pseudonymFor } from "@/lib/audit/pseudonym";

// Restriction of processing (Art. 18) stops erasures: preparing, approving and running one for a
// person any of whose identifiers is restricted is refused with the restriction's ground.

export async function restrictionsOfIds(ids: Pick<SubjectIds, "emails" | "msisdns" | "mxids">): Promise<ActiveRestriction[]> {
  return activeRestrictions([
    ...ids.emails.map((v) => pseudonymFor("email", v)),
    ...ids.msisdns.map((v) => pseudonymFor("msisdn", v)),
    ...ids.mxids.map((v) => pseudonymFor("mxid", v)),
  ]);
}

/** null when the person may be erased; else the message saying why not. */
export async function erasureRestricted(ids: Pick<SubjectIds, "emails" | "msisdns" | "mxids">): Promise<string | null> {
  const r = await restrictionsOfIds(ids);
  return r.length ? restrictedMessage(r) : null;
}
