"use client";

import { ActionForm, FormField } from "@/components/action-form";
import { createComplaintAction } from "@/lib/complaints/actions";
import { SEVERITIES, TARGETS } from "@/lib/complaints/catalogue";

export function ComplaintForm() {
  return (
    <ActionForm action={createComplaintAction} submit="Take in complaint" className="card">
      {(s) => (
        <>
          <FormField name="severity" label="Severity" hint="Sets the first-response and resolution targets." state={s}>
            {(a) => (
              <select {...a} defaultValue={s.values?.severity ?? "normal"}>
                {SEVERITIES.map((k) => <option key={k} value={k}>{TARGETS[k].label}: reply within {TARGETS[k].firstResponseHours} h, resolve within {TARGETS[k].resolutionDays} days</option>)}
              </select>
            )}
          </FormField>
          <FormField name="summary" label="What is the complaint about?" hint="No e-mail addresses, phone numbers or Matrix IDs here." state={s}>
            {(a) => <textarea {...a} rows={4} maxLength={4000} />}
          </FormField>
          <FormField name="contactName" label="Complainant's name" state={s}>{(a) => <input {...a} maxLength={200} autoComplete="off" />}</FormField>
          <FormField name="contact" label="How to reach them (e-mail or phone)" state={s}>{(a) => <input {...a} maxLength={300} autoComplete="off" />}</FormField>
          <FormField name="subjectKind" label="Their identifier on our servers, if they gave one" hint="Lets the DPO see who accessed this person's data." state={s}>
            {(a) => (
              <select {...a} defaultValue={s.values?.subjectKind ?? ""}>
                <option value="">None given</option>
                <option value="email">E-mail address</option>
                <option value="phone">Phone number</option>
                <option value="mxid">Matrix ID</option>
              </select>
            )}
          </FormField>
          <FormField name="subjectValue" label="Identifier" state={s}>{(a) => <input {...a} maxLength={400} autoComplete="off" />}</FormField>
        </>
      )}
    </ActionForm>
  );
}
