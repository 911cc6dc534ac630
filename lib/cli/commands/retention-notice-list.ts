import { defineCommand, printJson } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import { formatCalendarDate } from "@/lib/requests/due-date";
import { loadNotices, type RecordedNotice } from "@/lib/retention/notices";

// retention:notice-list: the recorded privacy-notice versions (limits per class, sections,
// SHA-256, who proposed and approved them) and the one in force. JSON, like every command.

export function noticeJson(n: RecordedNotice) {
  return {
    id: n.id, version: n.version, effectiveFrom: formatCalendarDate(n.effectiveFrom), state: n.state, limits: n.limits, sections: n.sections,
    textSha256: n.textSha256, reason: n.reason, proposedById: n.proposedById, proposedAt: n.proposedAt.toISOString(),
    approvedById: n.approvedById, approvedAt: n.approvedAt?.toISOString() ?? null, rejectedById: n.rejectedById, rejectedAt: n.rejectedAt?.toISOString() ?? null, rejectReason: n.rejectReason,
  };
}

export default defineCommand({
  name: "retention:notice-list",
  summary: "List the recorded privacy-notice versions (retention limits per class, state, who proposed/approved) and the one in force; JSON.",
  options: {
    operator: { type: "string", description: "Staff e-mail (retention.view)." },
  },
  async run({ values }) {
    await resolveOperator(values.operator as string | undefined, "retention.view");
    const book = await loadNotices();
    printJson({ inForce: book.inForce?.version ?? null, upcoming: book.upcoming.map((n) => n.version), notices: book.all.map(noticeJson) });
    return 0;
  },
});
