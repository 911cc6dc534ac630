import { ConfigError, env } from "@/lib/env";

// Imported once by instrumentation.ts in the Node.js runtime at server start.
try {
  env();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(78); // EX_CONFIG
  }
  throw e;
}
