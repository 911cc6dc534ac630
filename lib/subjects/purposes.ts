import { z } from "zod";
import { noIdentifiers } from "@/lib/free-text";

// The fixed purposes for which a DPO may reveal a subject without a linked request
// (subjects.revealForPurpose). The purpose key goes into the access log's `purpose` column with
// the free-text note; the note must say why, in the DPO's words, so an auditor can judge it.
// Notes that look like they hold an identifier are refused (lib/free-text.ts): the log is
// immutable and auditors read it. Packages released to the person carry only the category
// (purposeCategory), never the note.

export const REVEAL_PURPOSES = [
  "subject_access_request",
  "erasure_request",
  "complaint_investigation",
  "legal_obligation",
  "security_incident",
  "abuse_investigation",
  "rectification",
  "other",
] as const;
export type RevealPurpose = (typeof REVEAL_PURPOSES)[number];

export const REVEAL_PURPOSE_LABELS: Record<RevealPurpose, string> = {
  subject_access_request: "Subject-access request not yet registered",
  erasure_request: "Erasure request not yet registered",
  complaint_investigation: "Investigating a complaint",
  legal_obligation: "Legal obligation (e.g. a court order)",
  security_incident: "Security incident or breach assessment",
  abuse_investigation: "Abuse investigation",
  rectification: "Rectification of inaccurate data",
  other: "Other (explain in the note)",
};

export const PURPOSE_NOTE_MIN = 10;

export const revealPurposeSchema = z.object({
  purpose: z.enum(REVEAL_PURPOSES, { message: "Choose a purpose from the list." }),
  note: z
    .string()
    .trim()
    .min(PURPOSE_NOTE_MIN, `Say why in at least ${PURPOSE_NOTE_MIN} characters; the note is kept in the access log.`)
    .max(1000, "Keep the note under 1,000 characters.")
    .superRefine(noIdentifiers("note (it is kept in the access log)")),
});
export type RevealPurposeInput = z.infer<typeof revealPurposeSchema>;

/** The access log's `purpose` value: "<key>: <note>". */
export function purposeText(p: RevealPurposeInput): string {
  return `${p.purpose}: ${p.note}`;
}

/** The category of a logged purpose, without any free text: what a package may tell the person. */
export function purposeCategory(purpose: string | null): string | null {
  if (!purpose) return null;
  const key = purpose.split(":", 1)[0].trim();
  return (REVEAL_PURPOSES as readonly string[]).includes(key) ? REVEAL_PURPOSE_LABELS[key as RevealPurpose] : "Other (recorded by staff)";
}
