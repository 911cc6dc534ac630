// Polling must not count as activity (the idle timeout would never fire for an open tab).
// Server actions that poll pass { activity: false } to the guard; page auto-refreshes
// (router.refresh) cannot, so the browser sets this short-lived cookie while such a refresh is
// in flight (lib/auth/use-passive-refresh.ts) and the guard then does not move lastSeenAt.
// The cookie can only make a session end sooner, never keep one alive, so trusting it is safe.

export const PASSIVE_REFRESH_COOKIE = "custodian-passive-refresh";
