// Runs once when the Next.js server starts: a misconfigured variable stops start-up here (see
// lib/startup.ts), with a message naming it, instead of failing on the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    await import("./lib/startup");
  }
}
