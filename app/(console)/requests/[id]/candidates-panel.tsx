"use client";

import { useActionState } from "react";
import { decideCandidateAction, findCandidatesAction, type CandidateState } from "@/lib/subjects/candidate-actions";
import type { Candidate } from "@/lib/subjects/candidates";

// The request page's candidate identifiers (issue 8): what a search finds beyond the identifiers
// linked to the request (the Matrix ID a linked address is bound to, its other addresses), masked,
// each with a short tag so two that mask alike are told apart. A DPO confirms or declines each
// one; nothing joins the request without that click.

export function CandidatesPanel({ requestId, open }: { requestId: string; open: boolean }) {
  const [found, find, finding] = useActionState(findCandidatesAction, {} as CandidateState);
  const [decided, decide, deciding] = useActionState(decideCandidateAction, {} as CandidateState);
  const state = decided.list ? decided : found;
  const list = state.list;
  const offered = list?.ok ? list.candidates.filter((c) => !c.declined) : [];
  const declined = list?.ok ? list.candidates.filter((c) => c.declined) : [];
  return (
    <div aria-labelledby="candidates-heading">
      <h3 id="candidates-heading">Candidate identifiers</h3>
      <p className="muted">
        The subject is what this request verified (the identifiers above). A search may suggest more: the Matrix ID a linked address is bound to,
        that Matrix ID&apos;s other addresses. Confirm each only when the requester&apos;s identity covers it.
      </p>
      <form action={find}>
        <input type="hidden" name="requestId" value={requestId} />
        <button type="submit" className="btn" disabled={finding}>{finding ? "Searching…" : "Find candidate identifiers"}</button>
      </form>
      {decided.message && <p role="status" className={decided.ok ? "banner-ok" : "banner-error"}>{decided.message}</p>}
      {list && !list.ok && <p role="alert" className="banner-error">{list.message}</p>}
      {list?.ok && list.linkedElsewhere.length > 0 && (
        <div className="banner-warn" role="note">
          {list.linkedElsewhere.map((l) => (
            <p key={l.tag}><span className="mono">{l.masked}</span> <span className="badge">{l.tag}</span> is now linked to another account, not this request&apos;s verified Matrix ID. Its data is left out of packages; an erasure stops and asks.</p>
          ))}
        </div>
      )}
      {list?.ok && (offered.length === 0 ? <p className="muted">No candidates{declined.length ? " left to decide" : ""}: the search finds nothing else beyond the verified identifiers.</p> : (
        table(`${offered.length} candidate(s), masked`, offered)
      ))}
      {list?.ok && declined.length > 0 && (
        table(`Declined earlier for this request: ${declined.length} (not offered again; confirm one only if the requester's identity covers it after all)`, declined)
      )}
    </div>
  );

  function table(caption: string, rows: Candidate[]) {
    return (
      <div className="table-scroll">
        <table className="data">
          <caption>{caption}</caption>
          <thead><tr><th scope="col">Candidate</th><th scope="col">Tag</th><th scope="col">Kind</th><th scope="col">Found through</th><th scope="col">Decision</th></tr></thead>
          <tbody>
            {rows.map((c) => (
              <tr key={c.ref}>
                <td className="mono">{c.masked}</td><td><span className="badge">{c.tag}</span></td><td>{c.type}</td><td className="mono">{c.via}</td>
                <td>
                  {c.declined && <span className="muted">Declined by {c.declined.by} on {c.declined.at.slice(0, 10)}. </span>}
                  {open ? (
                    <form action={decide} aria-label={`Decide on ${c.masked} ${c.tag}`}>
                      <input type="hidden" name="requestId" value={requestId} />
                      <input type="hidden" name="ref" value={c.ref} />
                      <button type="submit" name="decision" value="confirm" className="btn btn-primary" disabled={deciding}>{c.declined ? "Confirm after all" : "Confirm"} {c.tag}</button>
                      {!c.declined && <>{" "}<button type="submit" name="decision" value="decline" className="btn" disabled={deciding}>Decline {c.tag}</button></>}
                    </form>
                  ) : "Request closed"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }
}
