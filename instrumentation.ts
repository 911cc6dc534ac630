// Runs once when the Next.js server starts: a misconfigured variable stops start-up here,
// with a message naming it, instead of failing on the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env, ConfigError } = await import("./lib/env");
  try {
    env();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
}
