import { PAUSE_LABELS, isPausingState } from "@/lib/requests/clock";
import type { RequestView } from "@/lib/requests/queries";

// The effective due date and the legal basis it rests on (GDPR Art. 12(3)).

const day = (d: Date) => d.toISOString().slice(0, 10);

export function DeadlinePanel({ request: r }: { request: RequestView }) {
  return (
    <section className="card" aria-labelledby="deadline-heading">
      <h2 id="deadline-heading">Deadline</h2>
      <p>
        <strong>Due {day(r.effectiveDueAt)}</strong>{" "}
        {r.closedAt ? (
          <span className="muted">(closed {day(r.closedAt)})</span>
        ) : r.clockPausedAt ? (
          <span className="badge badge-warn">
            Clock paused since {day(r.clockPausedAt)} ({isPausingState(r.state) ? PAUSE_LABELS[r.state] : "paused"}): {r.daysLeft} day
            {r.daysLeft === 1 ? "" : "s"} left when it resumes
          </span>
        ) : r.isOverdue ? (
          <span className="badge badge-bad">OVERDUE by {-(r.daysLeft ?? 0)} day{r.daysLeft === -1 ? "" : "s"}</span>
        ) : (
          <span className={(r.daysLeft ?? 0) <= 7 ? "badge badge-warn" : "badge badge-ok"}>
            {r.daysLeft === 0 ? "due today" : `${r.daysLeft} day${r.daysLeft === 1 ? "" : "s"} left`}
          </span>
        )}
      </p>
      <p>
        GDPR Art. 12(3): the controller must act on a request without undue delay and at the latest within one month of
        receipt. Received on {day(r.receivedAt)}, so the one-month deadline is <strong>{day(r.dueAt)}</strong> (the same date
        next month, or that month&apos;s last day when it is shorter){r.pausedDays > 0 ? ", moved by the paused days" : ""}. Dates are calendar dates in UTC; the deadline lasts the
        whole day.
      </p>
      {r.pausedDays > 0 && (
        <p>
          The clock was paused for {r.pausedDays} day{r.pausedDays === 1 ? "" : "s"} in total while an identity check or a
          clarification was pending; the dates above already include them. Every pause and resume is in the history below.
        </p>
      )}
      {r.extendedDueAt ? (
        <p>
          Extended by two further months, as Art. 12(3) allows for complex or numerous requests, to{" "}
          <strong>{day(r.extendedDueAt)}</strong> (three months from receipt). Reason recorded:{" "}
          <q>{r.extensionReason}</q>. Who extended it and when is in the history below.
        </p>
      ) : (
        <p className="muted">
          Not extended. An extension of up to two further months is possible once, with a reason, and only until {day(r.dueAt)}:
          the requester must be told of it, and why, within the first month.
        </p>
      )}
    </section>
  );
}
