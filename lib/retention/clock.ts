// "Now" for retention judgements in the console. CUSTODIAN_RETENTION_NOW (an ISO time) lets a demo
// or a browser test judge the fixture's aged logs as of their reference time; it is ignored when it
// is later than the clock (judging as of a later time would delete copies before they are due).
export function retentionNow(clock = new Date()): Date {
  const v = process.env.CUSTODIAN_RETENTION_NOW;
  const t = v ? Date.parse(v) : NaN;
  return Number.isFinite(t) && t <= clock.getTime() ? new Date(t) : clock;
}
