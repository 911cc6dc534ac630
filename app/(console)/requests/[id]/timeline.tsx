import type { TimelineEntry } from "@/lib/requests/queries";

// A request's history as recorded in the access log (entries with this requestId, by seq).

const ACTION_LABELS: Record<string, string> = {
  "request.create": "Registered",
  "request.view": "Viewed",
  "request.assign": "Assigned",
  "request.state.change": "State changed",
  "request.extend": "Deadline extended",
  "request.close": "Closed",
  "export.generate": "Package generated",
  "export.review": "Package reviewed",
  "export.approve": "Package approved",
  "export.revoke": "Package revoked",
  "export.download": "Package downloaded",
  "subject.reveal": "Subject revealed",
  "request.subject.link": "Subject linked",
  "request.note.add": "Note or correspondence added",
  "erasure.request": "Erasure prepared",
  "erasure.preview": "Erasure previewed",
  "erasure.view": "Erasure viewed",
  "erasure.approve": "Erasure approved",
  "erasure.execute": "Erasure run",
  "erasure.step": "Erasure step",
  "erasure.pause": "Erasure paused",
  "request.clock.pause": "Legal clock paused",
  "request.clock.resume": "Legal clock resumed",
  "erasure.phase1.done": "Inaccessible everywhere (phase 1 done)",
  "erasure.complete": "Erasure completed",
  "erasure.nothing_held": "Nothing held",
  "erasure.receipt.view": "Erasure receipt viewed",
  "erasure.receipt.download": "Erasure receipt downloaded",
};

function describe(e: TimelineEntry): string | null {
  const d = e.details ?? {};
  if (e.action === "request.state.change" || e.action === "request.close") return `${d.from} → ${d.to}`;
  if (e.action === "request.extend" && typeof d.extendedDueAt === "string") return `to ${d.extendedDueAt.slice(0, 10)}`;
  if (e.action === "request.clock.pause") return String(d.reason ?? "").replace("_", " ");
  if (e.action === "request.clock.resume") return d.closed ? "request closed" : `+${d.pausedDays} day(s), due ${String(d.dueAt).slice(0, 10)}`;
  if (e.action === "request.assign") return d.assigneeId ? "to a staff member" : "unassigned";
  if (e.action === "request.view" && d.masked) return "masked";
  return null;
}

export function Timeline({ entries }: { entries: TimelineEntry[] }) {
  if (entries.length === 0) return <p className="muted">No entries.</p>;
  return (
    <ol className="timeline">
      {entries.map((e) => (
        <li key={e.seq}>
          <time dateTime={e.at.toISOString()}>{e.at.toISOString().replace("T", " ").slice(0, 19)} UTC</time>{" "}
          <strong>{ACTION_LABELS[e.action] ?? e.action}</strong> {describe(e) && <span>({describe(e)})</span>}{" "}
          by {e.actorLabel} <span className="muted">({e.actorRole})</span>
          {e.outcome !== "ok" && <span className="badge badge-bad">{e.outcome}</span>}
          {e.purpose && <div className="muted">Reason: {e.purpose}</div>}
          <span className="muted mono"> #{e.seq}</span>
        </li>
      ))}
    </ol>
  );
}
