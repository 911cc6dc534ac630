import { activeRestrictions, identifiersOf, pseudonymsOf, restrictedMessage } from "@/lib/rights/restrictions";

// Restriction of processing (Art. 18) stops erasures: preparing, approving and running one for a
// person any of whose identifiers is restricted is refused with the restriction's ground.

/** null when the person may be erased; else the message saying why not. */
export async function erasureRestricted(ids: { emails: string[]; msisdns: string[]; mxids: string[] }): Promise<string | null> {
  const r = await activeRestrictions(pseudonymsOf(identifiersOf(ids)));
  return r.length ? restrictedMessage(r) : null;
}
