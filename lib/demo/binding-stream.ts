import { casefold, normaliseAddress } from "@/lib/sydent/normalise";
import { BROWSER_UAS } from "@/lib/demo/names";
import { personAt, typedVariant, type PeopleSpace } from "@/lib/demo/people";
import { createRng, type Rng } from "@/lib/demo/prng";
import { DEMO_SUBJECTS, type ServerIndex, type TermsChoice, type Via } from "@/lib/demo/subjects";
import { DAY_MS, HOUR_MS, type GenBinding } from "@/lib/demo/types";

// The bindings that drive the simulation, strictly in time order: generated people (one email,
// sometimes also a phone) spread evenly over the history, merged with the named subjects.

export type Timeline = {
  ref: number;
  start: number;
  /** No new bindings after this (pushes of the last ones have completed by ref). */
  end: number;
  stuckSince: number;
};

function clientIp(r: Rng): string {
  if (r.chance(0.25)) return `2001:db8:${r.hex(4).replace(/^0+/, "") || "0"}:${r.int(1, 0xfff).toString(16)}::${r.int(1, 0xffff).toString(16)}`;
  const net = r.pick(["203.0.113", "198.51.100", "192.0.2"]);
  return `${net}.${r.int(1, 254)}`;
}

function unbindLimit(origin: ServerIndex, t: Timeline): number {
  return origin === 0 ? t.stuckSince - 60_000 : t.ref - 15 * 60_000;
}

/** Generated bindings k = 0..count-1; person indices 0..persons-1 (returned via onPerson). */
export function* generatedBindings(seed: string, count: number, t: Timeline, space: PeopleSpace): Generator<GenBinding> {
  const r = createRng(seed, "bindings");
  const step = (t.end - t.start) / Math.max(1, count);
  let person = 0;
  for (let k = 0; k < count; ) {
    const p = personAt(space, person);
    const origin: ServerIndex = r.chance(0.62) ? 0 : 1;
    const via: Via = r.weighted<Via>([["v2", 65], ["v1", 28], ["internal", 7]]);
    const terms: TermsChoice = r.weighted<TermsChoice>([["all", 70], ["partial", 20], ["none", 10]]);
    const ip = clientIp(r);
    const ua = r.pick(BROWSER_UAS);
    const hasPhone = r.chance(0.35) && k + 1 < count;
    const threepids: { medium: "email" | "msisdn"; typed: string; address: string; origin: ServerIndex }[] = [
      { medium: "email", typed: typedVariant(p.typedEmail, r.next()), address: p.email, origin },
    ];
    if (hasPhone) threepids.push({ medium: "msisdn", typed: p.msisdn, address: p.msisdn, origin: r.chance(0.9) ? origin : ((1 - origin) as ServerIndex) });
    for (const tp of threepids) {
      const ts = Math.floor(t.start + (k + r.next() * 0.9) * step);
      let unbindTs: number | null = null;
      if (r.chance(0.03)) {
        const u = ts + r.int(HOUR_MS, 120 * DAY_MS);
        if (u < unbindLimit(tp.origin, t)) unbindTs = u;
      }
      yield {
        medium: tp.medium, address: tp.address, typed: tp.typed, mxid: p.mxid, homeserver: p.homeserver, ts,
        origin: tp.origin, via, unbindTs, account: via === "v2" ? terms : null, clientIp: ip, ua, country: p.country, person,
      };
      k++;
    }
    person++;
  }
}

/** A stable offset (0-40 min) so named subjects' events do not all fall on the hour. */
function jitter(key: string): number {
  let h = 2166136261;
  for (const c of key) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h % 2_400_000;
}

/** The named subjects' bindings, sorted by time. */
export function subjectBindings(t: Timeline): GenBinding[] {
  const out: GenBinding[] = [];
  for (const s of DEMO_SUBJECTS) {
    if (!s.mxid) continue;
    for (const tp of s.threepids) {
      const address = normaliseAddress(tp.medium, tp.typed);
      const ts = t.ref - Math.round(tp.boundHoursAgo * HOUR_MS) + jitter(`${s.key}/${tp.typed}`);
      const accountHere = s.account && s.account.server === tp.server && tp.via === "v2";
      out.push({
        medium: tp.medium, address, typed: tp.medium === "email" ? tp.typed : address, mxid: s.mxid,
        homeserver: s.mxid.slice(s.mxid.indexOf(":") + 1), ts, origin: tp.server, via: tp.via,
        unbindTs: tp.unboundHoursAgo === undefined ? null : t.ref - Math.round(tp.unboundHoursAgo * HOUR_MS) + jitter(`${s.key}/${tp.typed}/unbind`),
        account: accountHere ? s.account!.terms : null, clientIp: s.clientIp, ua: s.ua,
        country: tp.medium === "msisdn" ? Number(address.slice(0, 2)) : 0, person: -1, subject: s.key,
      });
    }
  }
  return out.sort((a, b) => a.ts - b.ts);
}

/** Merge two time-ordered streams. */
export function* mergeByTime(a: Iterator<GenBinding>, b: GenBinding[]): Generator<GenBinding> {
  let i = 0;
  let next = a.next();
  while (!next.done || i < b.length) {
    if (next.done || (i < b.length && b[i].ts <= next.value.ts)) yield b[i++];
    else {
      yield next.value;
      next = a.next();
    }
  }
}

export const SUBJECT_ADDRESSES = new Set(
  DEMO_SUBJECTS.flatMap((s) => [
    ...s.threepids.map((tp) => normaliseAddress(tp.medium, tp.typed)),
    ...(s.abandonedSessions ?? []).map((x) => casefold(x.typed)),
  ]),
);
