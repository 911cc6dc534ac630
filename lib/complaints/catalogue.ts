// The complaint queue's fixed vocabularies (privacy notice section 4: "complaints taken
// seriously"): severities with their first-response and resolution targets, states, what a
// complaint can be linked to, and the reply templates support staff send.

export const SEVERITIES = ["low", "normal", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Targets per severity: first response within hours, resolution within days (from receipt). */
export const TARGETS: Record<Severity, { firstResponseHours: number; resolutionDays: number; label: string }> = {
  low: { firstResponseHours: 72, resolutionDays: 30, label: "Low" },
  normal: { firstResponseHours: 48, resolutionDays: 30, label: "Normal" },
  high: { firstResponseHours: 24, resolutionDays: 14, label: "High (e.g. a data-protection concern)" },
  critical: { firstResponseHours: 4, resolutionDays: 7, label: "Critical (e.g. suspected misuse of data by staff)" },
};

/** CUSTODIAN_COMPLAINT_TARGETS overrides, e.g. "high=12h/10d,critical=2h/5d". */
export function parseTargets(spec: string | undefined): Record<Severity, { firstResponseHours: number; resolutionDays: number; label: string }> {
  const out = structuredClone(TARGETS);
  for (const part of (spec ?? "").split(",").map((p) => p.trim()).filter(Boolean)) {
    const m = /^(low|normal|high|critical)=(\d{1,4})h\/(\d{1,3})d$/.exec(part);
    if (!m) throw new Error(`CUSTODIAN_COMPLAINT_TARGETS: "${part}" is not <severity>=<hours>h/<days>d (e.g. high=12h/10d).`);
    out[m[1] as Severity].firstResponseHours = Number(m[2]);
    out[m[1] as Severity].resolutionDays = Number(m[3]);
  }
  return out;
}

export const COMPLAINT_STATES = ["open", "responded", "escalated", "resolved"] as const;
export type ComplaintState = (typeof COMPLAINT_STATES)[number];
export const COMPLAINT_STATE_LABELS: Record<ComplaintState, string> = {
  open: "Open", responded: "Responded", escalated: "Escalated to the DPO", resolved: "Resolved",
};

export const LINK_KINDS = ["request", "erasure", "block", "accessLog", "staff"] as const;
export type LinkKind = (typeof LINK_KINDS)[number];
export const LINK_KIND_LABELS: Record<LinkKind, string> = {
  request: "Request (REQ-… reference)", erasure: "Erasure (job id)", block: "Abuse block (id)",
  accessLog: "Access-log entry (#seq)", staff: "Staff member (e-mail)",
};
export const RELATIONS = ["about", "caused"] as const;
export type Relation = (typeof RELATIONS)[number];

/** Reply templates; {reference} is filled in. The text is kept as correspondence on the complaint. */
export const TEMPLATES = {
  acknowledge: {
    label: "Acknowledge receipt",
    text: "Thank you for your complaint ({reference}). We have received it and will look into it. We will reply within the time we promise in our privacy notice.",
  },
  more_info: {
    label: "Ask for more information",
    text: "Thank you for your complaint ({reference}). To look into it we need a little more information: please tell us when this happened and which address or Matrix ID it concerns.",
  },
  resolved_no_fault: {
    label: "Resolved: no fault found",
    text: "We have looked into your complaint ({reference}). Our records show that your data was handled as our privacy notice says. If you are not satisfied, you can complain to the ICO: https://www.ico.org.uk/concerns.",
  },
  resolved_action: {
    label: "Resolved: action taken",
    text: "We have looked into your complaint ({reference}) and taken action to put things right. Thank you for telling us. If you are not satisfied, you can complain to the ICO: https://www.ico.org.uk/concerns.",
  },
} as const;
export type TemplateKey = keyof typeof TEMPLATES;
export const TEMPLATE_KEYS = Object.keys(TEMPLATES) as TemplateKey[];

export function renderTemplate(key: TemplateKey, reference: string): string {
  return TEMPLATES[key].text.replace("{reference}", reference);
}
