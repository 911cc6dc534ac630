import { casefold } from "@/lib/sydent/normalise";
import { personAt, typedVariant, type PeopleSpace, type Person } from "@/lib/demo/people";
import { createRng } from "@/lib/demo/prng";
import { inviteJson, makeInvite, type InviteRec } from "@/lib/demo/side-tables";
import type { JsonValue } from "@/lib/demo/signing";
import { DEMO_SUBJECTS, subjectByKey, type ServerIndex } from "@/lib/demo/subjects";
import { DAY_MS, HOUR_MS, type DemoServer, type GenBinding, type LogEvent } from "@/lib/demo/types";

// 3PID invites (store-invite) on each server: some wait for a binder and are delivered by the
// bind (then deleted, or kept with sent_ts when the homeserver's onbind keeps failing), some
// are never delivered (the invitee never binds, or binds on the other server: #329).

export type Delivery = { embedded: JsonValue[] | null; delivered: InviteRec[]; onbindFailed: boolean };

export function createInviteBook(
  seed: string,
  servers: [DemoServer, DemoServer],
  space: PeopleSpace,
  inviteeBase: number,
  ref: number,
  emit: (e: Extract<LogEvent, { kind: "store-invite" }>) => void,
) {
  const r = createRng(seed, "invites");
  const lists: InviteRec[][] = [[], []];
  const waiting = new Map<string, InviteRec[]>();
  let nextInvitee = inviteeBase;

  const store = (s: ServerIndex, typed: string, sender: string, receivedTs: number, subject?: string): InviteRec => {
    const inv = makeInvite(r, s, typed, casefold(typed), sender, receivedTs);
    lists[s].push(inv);
    emit({ kind: "store-invite", server: s, ts: receivedTs, sender, typed, room: inv.room, subject });
    return inv;
  };

  for (const subject of DEMO_SUBJECTS) {
    const typed = subject.threepids.find((t) => t.medium === "email")?.typed ?? subject.abandonedSessions?.[0]?.typed;
    if (!typed) continue;
    for (const i of subject.invitesTo ?? []) {
      const at = ref - Math.round(i.storedHoursAgo * HOUR_MS) - r.int(0, 45 * 60_000);
      const inv = store(i.server, typed, subjectByKey(i.from).mxid!, at, subject.key);
      const k = `${i.server}|${inv.address}`;
      waiting.set(k, [...(waiting.get(k) ?? []), inv]);
    }
  }

  const inviteePerson = (): Person => personAt(space, nextInvitee++);

  /** Invites the binding delivers (pending ones for this 3PID on the bind's server). */
  const deliver = (b: GenBinding): Delivery => {
    const o = b.origin;
    const found: InviteRec[] = [];
    const k = `${o}|${b.address}`;
    const w = waiting.get(k);
    if (w) {
      found.push(...w.filter((inv) => inv.receivedTs < b.ts));
      waiting.set(k, w.filter((inv) => inv.receivedTs >= b.ts));
    }
    if (b.person > 0 && b.medium === "email" && b.via !== "internal" && r.chance(0.03)) {
      const count = r.chance(0.85) ? 1 : 2;
      for (let i = 0; i < count; i++) {
        const sender = personAt(space, r.int(0, b.person - 1)).mxid;
        found.push(store(o, typedVariant(b.typed, r.next()), sender, b.ts - r.int(10 * 60_000, 30 * DAY_MS)));
      }
    }
    if (!found.length) return { embedded: null, delivered: [], onbindFailed: false };
    const onbindFailed = b.person >= 0 && r.chance(0.07);
    for (const inv of found) {
      inv.sentTs = b.ts + 40;
      inv.deleted = !onbindFailed;
    }
    return { embedded: found.map((inv) => inviteJson(inv, b.mxid, servers[o])), delivered: found, onbindFailed };
  };

  /** Invites sent by or to this binder that will stay pending. */
  const afterBind = (b: GenBinding) => {
    if (b.person < 0) return;
    if (b.via === "v2" && r.chance(0.02)) {
      const at = b.ts + r.int(HOUR_MS, 15 * DAY_MS);
      if (at < ref - 60_000) store(b.origin, typedVariant(inviteePerson().typedEmail, r.next()), b.mxid, at);
    }
    if (b.medium === "email" && r.chance(0.005)) {
      const other = (1 - b.origin) as ServerIndex;
      store(other, b.typed, personAt(space, r.int(0, Math.max(0, b.person - 1))).mxid, b.ts - r.int(HOUR_MS, 10 * DAY_MS));
    }
  };

  return { deliver, afterBind, inviteePerson, all: (s: ServerIndex) => lists[s] };
}
