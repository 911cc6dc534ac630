/** "2026-12-04T21:03:53.123Z" -> "2026-12-04 21:03:53" (UTC), for the access-log pages. */
export function logTime(iso: string): string {
  return iso.replace("T", " ").slice(0, 19);
}
