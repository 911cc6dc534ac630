// Working hours for the auditor's "reveals outside working hours" flag, and the local days that
// "one person revealing many people in a day" counts in. Configured by CUSTODIAN_WORKING_TIMEZONE
// (IANA name), CUSTODIAN_WORKING_HOURS ("07:00-19:00") and CUSTODIAN_WORKING_DAYS ("mon-fri").
//
// No offset arithmetic: the window is cut into 15-minute UTC slots and Intl names each slot's
// local weekday, date and time in the zone. Every zone's offsets and transitions fall on quarter
// hours, so a slot never straddles a change of offset; working hours must be quarter hours too.
// The result is a list of UTC intervals the database can filter on (exact counts, any size).

export type WorkingTime = {
  timeZone: string;
  /** Local days that are working days, 0 = Sunday … 6 = Saturday, ascending. */
  days: number[];
  /** Local start and end of working hours, minutes after midnight (start < end, end ≤ 1440). */
  startMinute: number;
  endMinute: number;
};

export type Interval = { start: Date; end: Date };
export type LocalDay = Interval & { day: string };

const SLOT_MS = 15 * 60_000;
const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
/** Monday first, as the days are read and written ("mon-fri"). */
const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0];

export const WORKING_TIME_DEFAULTS = { timeZone: "UTC", hours: "07:00-19:00", days: "mon-fri" } as const;

/** The zone's canonical name, or an error naming the variable. */
export function parseTimeZone(name: string): string {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name.trim() }).resolvedOptions().timeZone;
  } catch {
    throw new Error(`CUSTODIAN_WORKING_TIMEZONE: "${name}" is not a time zone this server knows; use an IANA name such as Europe/Berlin, America/New_York or UTC.`);
  }
}

/** "07:00-19:00" (quarter hours, start before end, end at most 24:00) → minutes. */
export function parseWorkingHours(spec: string): { startMinute: number; endMinute: number } {
  const m = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(spec.trim());
  const bad = (why: string) => new Error(`CUSTODIAN_WORKING_HOURS: "${spec}" ${why}; write local start and end as HH:MM-HH:MM in quarter hours, e.g. 07:00-19:00.`);
  if (!m) throw bad("is not HH:MM-HH:MM");
  const [sh, sm, eh, em] = m.slice(1).map(Number);
  if (sh > 23 || eh > 24 || sm > 59 || em > 59 || (eh === 24 && em !== 0)) throw bad("is not a time of day");
  if (sm % 15 || em % 15) throw bad("is not in quarter hours (:00, :15, :30, :45)");
  const startMinute = sh * 60 + sm;
  const endMinute = eh * 60 + em;
  if (startMinute >= endMinute) throw bad("does not start before it ends (hours across midnight are not supported)");
  return { startMinute, endMinute };
}

/** "mon-fri", "sun-thu", "mon,wed,fri" (ranges may wrap past Sunday) → 0 = Sunday … 6 = Saturday. */
export function parseWorkingDays(spec: string): number[] {
  const out = new Set<number>();
  const day = (s: string) => {
    const i = DAY_NAMES.indexOf(s.trim().toLowerCase());
    if (i < 0) throw new Error(`CUSTODIAN_WORKING_DAYS: "${s.trim()}" in "${spec}" is not a day; use mon, tue, wed, thu, fri, sat, sun, as ranges or lists (mon-fri, sun-thu, mon,wed,fri).`);
    return i;
  };
  for (const part of spec.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [a, b, ...rest] = part.split("-");
    if (rest.length) day(part);
    if (b === undefined) {
      out.add(day(a));
      continue;
    }
    const from = WEEK_ORDER.indexOf(day(a));
    const to = WEEK_ORDER.indexOf(day(b));
    for (let k = from; ; k = (k + 1) % 7) {
      out.add(WEEK_ORDER[k]);
      if (k === to) break;
    }
  }
  if (!out.size) throw new Error(`CUSTODIAN_WORKING_DAYS: "${spec}" names no day; use e.g. mon-fri.`);
  return [...out].sort((x, y) => x - y);
}

export function parseWorkingTime(o: { timeZone?: string; hours?: string; days?: string }): WorkingTime {
  return {
    timeZone: parseTimeZone(o.timeZone ?? WORKING_TIME_DEFAULTS.timeZone),
    days: parseWorkingDays(o.days ?? WORKING_TIME_DEFAULTS.days),
    ...parseWorkingHours(o.hours ?? WORKING_TIME_DEFAULTS.hours),
  };
}

const hhmm = (min: number) => `${String(Math.floor(min / 60)).padStart(2, "0")}:${String(min % 60).padStart(2, "0")}`;

/** "Mon-Fri 07:00-19:00 Europe/Berlin" (or the days listed). */
export function describeWorkingTime(w: WorkingTime): string {
  const cap = (d: number) => DAY_NAMES[d][0].toUpperCase() + DAY_NAMES[d].slice(1);
  const has = (d: number) => w.days.includes(d);
  const step = (d: number, by: number) => WEEK_ORDER[(WEEK_ORDER.indexOf(d) + by + 7) % 7];
  // One run of consecutive days (Sunday may follow Saturday): "Sun-Thu"; otherwise a list.
  const starts = WEEK_ORDER.filter((d) => has(d) && !has(step(d, -1)));
  let last = starts[0];
  while (starts.length === 1 && has(step(last, 1))) last = step(last, 1);
  const days = w.days.length === 7 ? "every day"
    : starts.length === 1 && w.days.length > 1 ? `${cap(starts[0])}-${cap(last)}`
    : WEEK_ORDER.filter(has).map(cap).join(",");
  return `${days} ${hhmm(w.startMinute)}-${hhmm(w.endMinute)} ${w.timeZone}`;
}

type Slot = { start: number; day: string; weekday: number; minute: number };

/** The 15-minute UTC slots covering [since, until), each with its local date, weekday and time. */
function* slots(since: Date, until: Date, timeZone: string): Generator<Slot> {
  const fmt = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", weekday: "short", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  for (let t = Math.floor(since.getTime() / SLOT_MS) * SLOT_MS; t < until.getTime(); t += SLOT_MS) {
    const p: Record<string, string> = {};
    for (const part of fmt.formatToParts(new Date(t))) p[part.type] = part.value;
    yield { start: t, day: `${p.year}-${p.month}-${p.day}`, weekday: DAY_NAMES.indexOf(p.weekday.toLowerCase()), minute: Number(p.hour) * 60 + Number(p.minute) };
  }
}

/** Merges consecutive slots with the same key into intervals clipped to [since, until). */
function runs<K>(since: Date, until: Date, timeZone: string, key: (s: Slot) => K | null, same: (a: K, b: K) => boolean): (Interval & { key: K })[] {
  const out: (Interval & { key: K })[] = [];
  let cur: { start: number; end: number; key: K } | null = null;
  for (const s of slots(since, until, timeZone)) {
    const k = key(s);
    if (cur && k !== null && same(cur.key, k) && cur.end === s.start) {
      cur.end = s.start + SLOT_MS;
      continue;
    }
    if (cur) out.push({ start: new Date(cur.start), end: new Date(cur.end), key: cur.key });
    cur = k === null ? null : { start: s.start, end: s.start + SLOT_MS, key: k };
  }
  if (cur) out.push({ start: new Date(cur.start), end: new Date(cur.end), key: cur.key });
  return out.map((r) => ({
    ...r,
    start: new Date(Math.max(r.start.getTime(), since.getTime())),
    end: new Date(Math.min(r.end.getTime(), until.getTime())),
  })).filter((r) => r.start < r.end);
}

/** The UTC intervals of working time within [since, until). */
export function workingIntervals(w: WorkingTime, since: Date, until: Date): Interval[] {
  return runs(since, until, w.timeZone, (s) => (w.days.includes(s.weekday) && s.minute >= w.startMinute && s.minute < w.endMinute ? true : null), () => true)
    .map(({ start, end }) => ({ start, end }));
}

/** The local days (YYYY-MM-DD in the zone) overlapping [since, until), as UTC intervals clipped to it. */
export function localDays(timeZone: string, since: Date, until: Date): LocalDay[] {
  return runs(since, until, timeZone, (s) => s.day, (a, b) => a === b).map(({ start, end, key }) => ({ day: key, start, end }));
}

/** Is the instant inside working time? (For tests and single entries; the flag filters in SQL.) */
export function isWorkingTime(w: WorkingTime, at: Date): boolean {
  const s = slots(at, new Date(at.getTime() + 1), w.timeZone).next().value!;
  return w.days.includes(s.weekday) && s.minute >= w.startMinute && s.minute < w.endMinute;
}
