import { recordAccess } from "@/lib/audit/log";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { buildDigest } from "@/lib/requests/digest";

// For cron (daily): what falls due this week, per person, as JSON. No requester names or contacts.

export default defineCommand({
  name: "requests:digest",
  summary: "Open requests overdue or due within --days (default 7), grouped by assignee (needs requests.view).",
  options: {
    operator: { type: "string", description: "Staff e-mail with requests.view (required)." },
    days: { type: "string", description: "Horizon in days (1-31, default 7)." },
  },
  async run({ values }) {
    const actor = await resolveOperator(values.operator as string | undefined, "requests.view");
    const days = values.days === undefined ? 7 : Number(values.days);
    if (!Number.isInteger(days) || days < 1 || days > 31) throw new UsageError("--days must be a whole number from 1 to 31.");
    const digest = await buildDigest(new Date(), days);
    await recordAccess({ actor, action: "request.digest", outcome: "ok", details: { days, requests: digest.groups.reduce((n, g) => n + g.items.length, 0) } });
    printJson(digest);
    return 0;
  },
});
