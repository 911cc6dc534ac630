"use client";

import { ActionForm, FormField } from "@/components/action-form";
import {
  escalateComplaintAction, linkComplaintAction, replyComplaintAction, resolveComplaintAction, revealComplaintContactAction,
} from "@/lib/complaints/actions";
import { LINK_KIND_LABELS, LINK_KINDS, TEMPLATE_KEYS, TEMPLATES } from "@/lib/complaints/catalogue";

export function ComplaintControls({ id, state, canResolveEscalated, canReveal }: { id: string; state: string; canResolveEscalated: boolean; canReveal: boolean }) {
  const hidden = { id };
  return (
    <section className="card" aria-labelledby="c-actions">
      <h2 id="c-actions">Work on it</h2>
      {canReveal && (
        <ActionForm action={revealComplaintContactAction} hidden={hidden} title="Complainant's contact" submit="Reveal contact">
          {(s) => s.contact && <p data-testid="complaint-contact"><strong>{s.contact}</strong></p>}
        </ActionForm>
      )}
      <ActionForm action={linkComplaintAction} hidden={hidden} title="Link" submit="Add link">
        {(s) => (
          <>
            <FormField name="relation" label="Relation" state={s}>
              {(a) => (<select {...a} defaultValue="about"><option value="about">The complaint is about…</option><option value="caused">The complaint caused…</option></select>)}
            </FormField>
            <FormField name="kind" label="What" state={s}>
              {(a) => (<select {...a} defaultValue="accessLog">{LINK_KINDS.map((k) => <option key={k} value={k}>{LINK_KIND_LABELS[k]}</option>)}</select>)}
            </FormField>
            <FormField name="ref" label="Reference" hint="e.g. #42 for an access-log entry, REQ-2026-0003, a staff e-mail" state={s}>
              {(a) => <input {...a} maxLength={200} autoComplete="off" />}
            </FormField>
          </>
        )}
      </ActionForm>
      <ActionForm action={replyComplaintAction} hidden={hidden} title="Reply" submit="Record reply">
        {(s) => (
          <FormField name="template" label="Template" state={s}>
            {(a) => (<select {...a} defaultValue="acknowledge">{TEMPLATE_KEYS.map((k) => <option key={k} value={k}>{TEMPLATES[k].label}</option>)}</select>)}
          </FormField>
        )}
      </ActionForm>
      {state !== "escalated" && (
        <ActionForm action={escalateComplaintAction} hidden={hidden} title="Escalate to the DPO" submit="Escalate">
          {(s) => (
            <FormField name="reason" label="Why the DPO must decide" hint="No identifiers: it goes into the access log." state={s}>
              {(a) => <textarea {...a} rows={2} maxLength={1000} />}
            </FormField>
          )}
        </ActionForm>
      )}
      {(state !== "escalated" || canResolveEscalated) && (
        <ActionForm action={resolveComplaintAction} hidden={hidden} title="Resolve" submit="Resolve complaint">
          {(s) => (
            <>
              <FormField name="resolution" label="Resolution" state={s}>{(a) => <textarea {...a} rows={3} maxLength={4000} />}</FormField>
              <FormField name="template" label="Closing reply" state={s}>
                {(a) => (
                  <select {...a} defaultValue="resolved_no_fault">
                    <option value="">No reply</option>
                    {TEMPLATE_KEYS.filter((k) => k.startsWith("resolved")).map((k) => <option key={k} value={k}>{TEMPLATES[k].label}</option>)}
                  </select>
                )}
              </FormField>
            </>
          )}
        </ActionForm>
      )}
    </section>
  );
}
