// Prints why the live-Sydent suite cannot run here (and exits 1), or nothing (exit 0) when the kit
// beside the clone (../shared/tools/sydent-live or SYDENT_LIVE_KIT) and Debian's python3 are there.
import { kitMissingReason } from "@/lib/test/sydent-live";

const reason = kitMissingReason();
if (reason) {
  process.stdout.write(`${reason}\n`);
  process.exit(1);
}
