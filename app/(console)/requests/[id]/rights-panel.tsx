"use client";

import { ActionForm, FormField } from "@/components/action-form";
import { decideObjectionAction, liftRestrictionAction, recordObjectionAction, restrictRequestSubjectsAction } from "@/lib/rights/actions";
import { PROCESSING_ACTIVITIES, RESTRICTION_GROUND_LABELS, RESTRICTION_GROUNDS } from "@/lib/rights/catalogue";

// Restriction (Art. 18) and objection (Art. 21) on a request's page, for the DPO.

type Restriction = { id: string; masked: string; ground: string; since: string; lifted: string | null };
type Objection = { id: string; processing: string; decision: string; reason: string | null };

export function RightsPanel({ requestId, restrictions, objections, open }: { requestId: string; restrictions: Restriction[]; objections: Objection[]; open: boolean }) {
  return (
    <>
      <h3>Restriction of processing (Art. 18)</h3>
      {restrictions.length === 0 ? <p className="muted">No restriction recorded on this request.</p> : (
        <ul>
          {restrictions.map((r) => (
            <li key={r.id}>
              <span className="mono">{r.masked}</span>: {RESTRICTION_GROUND_LABELS[r.ground as keyof typeof RESTRICTION_GROUND_LABELS] ?? r.ground}, since {r.since}
              {r.lifted ? <span className="muted"> (lifted {r.lifted})</span> : (
                <ActionForm action={liftRestrictionAction} hidden={{ id: r.id, requestId }} submit="Lift restriction">
                  {(s) => <FormField name="reason" label="Why it is lifted" hint="No identifiers: it goes into the access log." state={s}>{(a) => <input {...a} maxLength={500} />}</FormField>}
                </ActionForm>
              )}
            </li>
          ))}
        </ul>
      )}
      {open && (
        <ActionForm action={restrictRequestSubjectsAction} hidden={{ requestId }} submit="Restrict processing of the linked person">
          {(s) => (
            <FormField name="ground" label="Ground" state={s}>
              {(a) => (<select {...a} defaultValue=""><option value="" disabled>Choose…</option>{RESTRICTION_GROUNDS.map((g) => <option key={g} value={g}>{RESTRICTION_GROUND_LABELS[g]}</option>)}</select>)}
            </FormField>
          )}
        </ActionForm>
      )}
      <h3>Objections (Art. 21)</h3>
      {objections.length === 0 ? <p className="muted">No objection recorded.</p> : (
        <ul>
          {objections.map((o) => (
            <li key={o.id}>
              {PROCESSING_ACTIVITIES[o.processing as keyof typeof PROCESSING_ACTIVITIES] ?? o.processing}: <strong>{o.decision}</strong>{o.reason && ` (${o.reason})`}
              {o.decision === "pending" && (
                <ActionForm action={decideObjectionAction} hidden={{ id: o.id, requestId }} submit="Record decision">
                  {(s) => (
                    <>
                      <FormField name="decision" label="Decision" state={s}>{(a) => (<select {...a} defaultValue="upheld"><option value="upheld">Upheld: the processing stops for this person</option><option value="rejected">Rejected: compelling legitimate grounds</option></select>)}</FormField>
                      <FormField name="reason" label="Reason" state={s}>{(a) => <input {...a} maxLength={1000} />}</FormField>
                    </>
                  )}
                </ActionForm>
              )}
            </li>
          ))}
        </ul>
      )}
      {open && (
        <ActionForm action={recordObjectionAction} hidden={{ requestId }} submit="Record objection">
          {(s) => (
            <FormField name="processing" label="Processing objected to" state={s}>
              {(a) => (<select {...a} defaultValue="lookup_publication">{Object.entries(PROCESSING_ACTIVITIES).map(([k, v]) => <option key={k} value={k}>{v}</option>)}</select>)}
            </FormField>
          )}
        </ActionForm>
      )}
    </>
  );
}
