// The fixed vocabularies of the request register: request types (the eight GDPR rights of the
// privacy notice's section 3.1.4 plus complaints under section 4), intake channels and the ways a
// requester can be identified. Stored values are the keys; labels are for people.

export const REQUEST_TYPES = [
  "access",
  "portability",
  "erasure",
  "rectification",
  "restriction",
  "objection",
  "complaint",
  "information",
  "automated_decision",
] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const REQUEST_TYPE_LABELS: Record<RequestType, string> = {
  access: "Access (Art. 15)",
  portability: "Portability (Art. 20)",
  erasure: "Erasure (Art. 17)",
  rectification: "Rectification (Art. 16)",
  restriction: "Restriction (Art. 18)",
  objection: "Objection (Art. 21)",
  complaint: "Complaint",
  information: "Information (Art. 13/14)",
  automated_decision: "Automated decisions (Art. 22)",
};

export const CHANNELS = ["email", "web_form", "post", "in_person", "other"] as const;
export type Channel = (typeof CHANNELS)[number];

export const CHANNEL_LABELS: Record<Channel, string> = {
  email: "E-mail",
  web_form: "Web form",
  post: "Post",
  in_person: "In person",
  other: "Other",
};

export const IDENTIFICATION_METHODS = [
  "pending",
  "bound_address_reply",
  "bound_number_sms",
  "homeserver_signed",
  "other",
] as const;
export type IdentificationMethod = (typeof IDENTIFICATION_METHODS)[number];

export const IDENTIFICATION_LABELS: Record<IdentificationMethod, string> = {
  pending: "Not yet identified (identity check pending)",
  bound_address_reply: "Replied from the bound e-mail address",
  bound_number_sms: "SMS code sent to the bound phone number",
  homeserver_signed: "Signed by the requester's homeserver",
  other: "Other (see note)",
};

/**
 * The identification column holds "<method>" or "<method>: <note>". The note may name documents
 * or details about the person, so it is personal data and is hidden from masked views.
 */
export function formatIdentification(method: IdentificationMethod, note?: string | null): string {
  const n = note?.trim();
  return n ? `${method}: ${n}` : method;
}

export function parseIdentification(value: string): { method: IdentificationMethod; note: string | null } {
  const idx = value.indexOf(":");
  const key = (idx === -1 ? value : value.slice(0, idx)).trim();
  const note = idx === -1 ? null : value.slice(idx + 1).trim() || null;
  const method = (IDENTIFICATION_METHODS as readonly string[]).includes(key) ? (key as IdentificationMethod) : "other";
  return { method, note: method === "other" && key !== "other" ? value : note };
}

export function isRequestType(v: string): v is RequestType {
  return (REQUEST_TYPES as readonly string[]).includes(v);
}
