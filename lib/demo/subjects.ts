import type { Medium } from "@/lib/sydent/normalise";

// The named demo subjects: a handful of people whose stories the README, the UI walkthrough and
// the tests rely on. Times are hours before the reference time. Their names are not in the
// generated pools (lib/demo/names.ts), so searches for them find exactly these people.

export type ServerIndex = 0 | 1;
export type Via = "v1" | "v2" | "internal";
export type TermsChoice = "all" | "partial" | "none";

export type SubjectThreepid = {
  medium: Medium;
  /** As the person typed it (validation sessions and application log lines keep this). */
  typed: string;
  server: ServerIndex;
  boundHoursAgo: number;
  unboundHoursAgo?: number;
  via: Via;
};

export type SubjectSpec = {
  key: string;
  displayName: string;
  mxid: string | null;
  clientIp: string;
  ua: string;
  threepids: SubjectThreepid[];
  account?: { server: ServerIndex; terms: TermsChoice };
  /** Invites addressed to this subject's first email, sent by another subject. */
  invitesTo?: { from: string; server: ServerIndex; storedHoursAgo: number }[];
  /** v1 lookups of the subject's first 3PID found in the logs. */
  lookupsHoursAgo?: number[];
  /** requestToken calls that never led to a binding (still in the sessions table if < 5 days). */
  abandonedSessions?: { server: ServerIndex; typed: string; hoursAgo: number; mailFails?: boolean }[];
  notes: string;
};

const DAY = 24;

export const DEMO_SUBJECTS: readonly SubjectSpec[] = [
  {
    key: "alice", displayName: "Alice Smith", mxid: "@alice.smith:matrix.example.org",
    clientIp: "203.0.113.24", ua: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    threepids: [
      { medium: "email", typed: "Alice.Smith@Example.org", server: 0, boundHoursAgo: 3 * DAY + 5, via: "v2" },
      { medium: "msisdn", typed: "447700900123", server: 0, boundHoursAgo: 40 * DAY + 2, via: "v2" },
    ],
    account: { server: 0, terms: "all" },
    lookupsHoursAgo: [20, 4 * DAY + 3, 30 * DAY, 100 * DAY + 7, 190 * DAY + 4],
    notes: "Bound email and phone on is1 (v2, all terms accepted); invited Bob and Dan; looked up often.",
  },
  {
    key: "bob", displayName: "Bob Jones", mxid: "@bob.jones:chat.example.com",
    clientIp: "198.51.100.77", ua: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    threepids: [{ medium: "email", typed: "Bob.Jones@example.com", server: 0, boundHoursAgo: 110 * DAY, via: "v2" }],
    account: { server: 0, terms: "all" },
    invitesTo: [{ from: "alice", server: 0, storedHoursAgo: 160 * DAY }],
    lookupsHoursAgo: [2 * DAY, 70 * DAY],
    notes: "Had a pending invite from Alice on is1, delivered when he bound; Sydent's shared-dict bug then copied that invite into later signed associations on is1 (Chloe's).",
  },
  {
    key: "chloe", displayName: "Chloe Evans", mxid: "@chloe.evans:matrix.example.org",
    clientIp: "203.0.113.51", ua: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    threepids: [{ medium: "email", typed: "chloe.evans@example.org", server: 0, boundHoursAgo: 110 * DAY - 3, via: "v1" }],
    notes: "Bound on is1 three hours after Bob, before the next restart: her sgAssoc (on both servers) embeds Bob's invite (address, room, Alice as sender, token).",
  },
  {
    key: "emile", displayName: "Émile Dubois", mxid: "@emile.dubois:matrix.example.org",
    clientIp: "192.0.2.140", ua: "Element/1.11.24 (iPhone; iOS 17.6.1; Scale/3.00)",
    threepids: [{ medium: "email", typed: "Émile.Dubois@Example.org", server: 1, boundHoursAgo: 20 * DAY + 6, via: "v1" }],
    lookupsHoursAgo: [6 * DAY],
    notes: "Non-ASCII address: stored casefolded (émile.dubois@example.org); SQLite lower() would not match the typed spelling.",
  },
  {
    key: "juergen", displayName: "Jürgen Groß", mxid: "@juergen.gross:matrix.example.net",
    clientIp: "2001:db8:5:1::42", ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    threepids: [{ medium: "email", typed: "Jürgen.Groß@Example.net", server: 1, boundHoursAgo: 65 * DAY + 1, via: "v2" }],
    account: { server: 1, terms: "partial" },
    notes: "casefold() turns ß into ss: stored as jürgen.gross@example.net; v2 account on is2 with only the terms of service accepted.",
  },
  {
    key: "carol", displayName: "Carol Davis", mxid: "@carol.davis:matrix.example.org",
    clientIp: "198.51.100.12", ua: "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.39 Mobile Safari/537.36",
    threepids: [{ medium: "email", typed: "Carol.Davis@Example.org", server: 0, boundHoursAgo: 195 * DAY, unboundHoursAgo: 150 * DAY, via: "v2" }],
    lookupsHoursAgo: [192 * DAY],
    notes: "Unbound on is1 150 days ago: only a tombstone (address, NULL mxid) is left on is1 and no global rows anywhere, but logs older than 180 days still name her.",
  },
  {
    key: "dan", displayName: "Dan Okafor", mxid: null,
    clientIp: "192.0.2.33", ua: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    threepids: [],
    invitesTo: [{ from: "alice", server: 0, storedHoursAgo: 20 * DAY }],
    abandonedSessions: [{ server: 0, typed: "Dan.Okafor@Example.com", hoursAgo: 2 * DAY + 4 }],
    notes: "Never bound: a pending invite from Alice (invite_tokens, sent_ts NULL) and an unvalidated session on is1.",
  },
  {
    key: "frank", displayName: "Frank Wright", mxid: "@frank.wright:matrix.example.org",
    clientIp: "203.0.113.99", ua: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    threepids: [{ medium: "email", typed: "frank.wright@example.com", server: 0, boundHoursAgo: 2, via: "v2" }],
    account: { server: 0, terms: "all" },
    notes: "Bound on is1 after is1 stopped reaching is2: in is1's tables only, waiting in the replication backlog.",
  },
  {
    key: "grace", displayName: "Grace Kim", mxid: "@grace.kim:chat.example.com",
    clientIp: "2001:db8:77::9", ua: "Element/1.6.26 (Google Pixel 7; Android 14; UP1A.231005.007; Flavour GooglePlay; MatrixAndroidSdk2 1.6.26)",
    threepids: [{ medium: "msisdn", typed: "61491570157", server: 1, boundHoursAgo: 2 * DAY, via: "v2" }],
    account: { server: 1, terms: "none" },
    lookupsHoursAgo: [30],
    notes: "Phone number bound on is2 two days ago: validation session and SMS code still in is2's tables.",
  },
  {
    key: "heidi", displayName: "Heidi Schmidt", mxid: "@heidi.schmidt:matrix.example.net",
    clientIp: "198.51.100.201", ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    threepids: [{ medium: "email", typed: "Heidi.Schmidt@example.net", server: 1, boundHoursAgo: 30 * DAY, unboundHoursAgo: 10 * DAY, via: "v2" }],
    notes: "Bound then unbound on is2: tombstone on is2, deletion replicated to is1 (\"Incoming deletion\" in is1's log).",
  },
  {
    key: "zoe", displayName: "Zoë Kowalski", mxid: null,
    clientIp: "192.0.2.201", ua: "Element/1.6.26 (Google Pixel 7; Android 14; UP1A.231005.007; Flavour GooglePlay; MatrixAndroidSdk2 1.6.26)",
    threepids: [],
    abandonedSessions: [{ server: 1, typed: "Zoë.Kowalski@Example.org", hoursAgo: 4 * DAY, mailFails: true }],
    notes: "requestToken with a non-ASCII address: Sydent's mail send failed (CRITICAL traceback, 500) but the session and token were stored anyway.",
  },
];

export function subjectByKey(key: string): SubjectSpec {
  const s = DEMO_SUBJECTS.find((x) => x.key === key);
  if (!s) throw new Error(`unknown demo subject ${key}`);
  return s;
}
