// The rights' fixed vocabularies, free of server code so forms in the browser can use them:
// restriction grounds (Art. 18), processing activities objected to (Art. 21), disclosure bases
// (privacy notice 3.4) and how the person was told.

export const RESTRICTION_GROUNDS = ["accuracy_contested", "unlawful_keep", "legal_claims", "objection_pending"] as const;

export type RestrictionGround = (typeof RESTRICTION_GROUNDS)[number];

export const RESTRICTION_GROUND_LABELS: Record<RestrictionGround, string> = {
  accuracy_contested: "Accuracy contested, being verified (Art. 18(1)(a))",
  unlawful_keep: "Processing unlawful, person asks to keep rather than erase (Art. 18(1)(b))",
  legal_claims: "Needed by the person for legal claims (Art. 18(1)(c))",
  objection_pending: "Objection pending verification (Art. 18(1)(d))",
};

export const PROCESSING_ACTIVITIES = {
  lookup_publication: "Publishing the link so others can look up the Matrix ID from the address (3.1, 3.7)",
  replication: "Replicating bindings to the other identity server (2.3)",
  abuse_logs: "Keeping connection data (IP addresses) to mitigate abuse (3.2.2)",
  validation_messages: "Sending validation e-mails and SMS (3.1)",
  invite_storage: "Storing pending room invites until delivered (3.1)",
} as const;

export type ProcessingActivity = keyof typeof PROCESSING_ACTIVITIES;

export const LEGAL_BASES = ["law_enforcement_order", "legal_obligation", "security_audit", "protect_from_harm", "emergency"] as const;

export const LEGAL_BASIS_LABELS: Record<LegalBasis, string> = {
  law_enforcement_order: "Law-enforcement order or legal process (3.4 a)",
  legal_obligation: "Applicable law or regulation (3.4 a)",
  security_audit: "Security or integrity of the service, e.g. a security audit (3.4 b)",
  protect_from_harm: "Protecting the service or its users from harm or illegal activity (3.4 c)",
  emergency: "Emergency: preventing serious bodily harm (3.4 d)",
};

export const NOTIFICATIONS = ["told", "deferred", "not_yet"] as const;

export const NOTIFICATION_LABELS: Record<Notification, string> = {
  told: "The person has been told",
  deferred: "Telling the person is deferred (until a date, with a reason)",
  not_yet: "Not told yet",
};

export type LegalBasis = (typeof LEGAL_BASES)[number];

export type Notification = (typeof NOTIFICATIONS)[number];
