import Link from "next/link";
import { actorOf, requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { listErasureJobs, reasonLabel, STATE_LABELS, stateBadge } from "@/lib/erasure/queries";
import type { Clock } from "@/lib/erasure/alarms-view";

export const dynamic = "force-dynamic";
export const metadata = { title: "Erasures" };

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : "—");

function ClockCell({ clock }: { clock: Clock }) {
  if (!clock.dueAt) return <span className="muted">—</span>;
  if (clock.daysLeft === null) return <>{day(clock.dueAt)}</>;
  return (
    <>
      {day(clock.dueAt)}{" "}
      {clock.level === "overdue" ? <span className="badge badge-bad">OVERDUE</span>
        : clock.level === "warn" ? <span className="badge badge-warn">{clock.daysLeft} days left</span>
        : <span className="muted">({clock.daysLeft} days left)</span>}
    </>
  );
}

export default async function ErasuresPage() {
  const op = await requireOperator("erasure.receipt");
  const jobs = await listErasureJobs(actorOf(op));
  const alarms = jobs.filter((j) => j.clock.level !== "none");
  const readOnly = !can(op.role, "erasure.execute") && !can(op.role, "erasure.approve");
  return (
    <>
      <h1>Erasures</h1>
      <p className="muted">
        Phase 1 makes a person inaccessible on every server at once; phase 2 removes the last traces (tombstones once every peer has them, log copies)
        within 30 days. Only masked identifiers are shown.{readOnly && " Your role can read erasures and their receipts."}
      </p>
      {alarms.length > 0 && (
        <p className="banner-error" role="status">
          {alarms.length} erasure{alarms.length === 1 ? "" : "s"} at or past day 25 of the 30-day limit: finish phase 2 (check peers that are down, log copies).
        </p>
      )}
      {jobs.length === 0 ? (
        <p className="muted">No erasures yet. They are prepared from an erasure request&apos;s page{can(op.role, "erasure.request") && <> or by <Link href="/erasures/bulk">bulk upload</Link></>}.</p>
      ) : (
        <div className="table-scroll"><table className="data" aria-label="Erasures">
          <thead>
            <tr><th scope="col">Subject</th><th scope="col">Request</th><th scope="col">Reason</th><th scope="col">State</th><th scope="col">Phase 2 due</th><th scope="col">Prepared</th></tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr key={j.id}>
                <td><Link href={`/erasures/${j.id}`} className="mono">{j.subjectMasked}</Link></td>
                <td className="mono">{j.reference}{j.batchId && <span className="muted"> (bulk)</span>}</td>
                <td>{reasonLabel(j.reason)}</td>
                <td><span className={`badge ${stateBadge(j.state)}`}>{STATE_LABELS[j.state] ?? j.state}</span>{j.state === "paused" && j.pausedReason && <div className="muted">{j.pausedReason}</div>}</td>
                <td><ClockCell clock={j.clock} /></td>
                <td>{day(j.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table></div>
      )}
    </>
  );
}
