import { FIELD_TEXT, KIND_TITLES } from "@/lib/exports/guide-fields";
import { RECORD_KINDS } from "@/lib/exports/records";
import { SCHEMA_VERSION } from "@/lib/exports/types";

// schema.json: the JSON Schema (draft 2020-12) of data.json, built from the same field texts as
// the guide. Bump SCHEMA_VERSION (types.ts) when a field is renamed or removed; adding optional
// fields keeps the version.

const NUM_OR_NULL = { type: ["number", "null"] };
const STR_OR_NULL = { type: ["string", "null"] };

function typeOf(field: string): Record<string, unknown> {
  if (field.endsWith("Unit")) return { enum: ["ms", "s"] };
  if (field.endsWith("Original") || ["rowId", "originId", "tokenRows", "activeTokens", "count", "lineNo", "seq"].includes(field)) return NUM_OR_NULL;
  if (["validated", "active"].includes(field)) return { type: ["boolean", "null"] };
  if (["deliveredToPeers", "pendingForPeers"].includes(field)) return { type: ["array", "null"], items: { type: "string" } };
  if (["ts", "notBefore", "notAfter", "mtime", "received", "sent", "created", "at", "expiresAt"].includes(field)) return { ...STR_OR_NULL, format: "date-time" };
  return STR_OR_NULL;
}

export function exportJsonSchema(): Record<string, unknown> {
  const records = Object.fromEntries(
    RECORD_KINDS.map((k) => [
      k,
      {
        description: KIND_TITLES[k],
        type: "array",
        items: {
          type: "object",
          properties: Object.fromEntries(Object.entries(FIELD_TEXT[k]).map(([f, d]) => [f, { ...typeOf(f), description: d }])),
        },
      },
    ]),
  );
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `urn:custodian:${SCHEMA_VERSION}`,
    title: "Custodian subject export (data.json)",
    type: "object",
    required: ["schemaVersion", "generatedAt", "kind", "request", "subject", "records", "secrets", "redactionPolicy"],
    properties: {
      schemaVersion: { const: SCHEMA_VERSION },
      generatedAt: { type: "string", format: "date-time", description: "When the package was generated (UTC)." },
      kind: { enum: ["access", "portability"], description: "Right of access (Art. 15) or data portability (Art. 20)." },
      request: { type: "object", properties: { reference: { type: "string", description: "Your request's reference." } } },
      subject: {
        type: "object",
        description: "Your identifiers that the search used and found.",
        properties: {
          ...Object.fromEntries(["emails", "msisdns", "mxids"].map((k) => [k, { type: "array", items: { type: "string" } }])),
          notices: { type: "array", items: { type: "string" }, description: "Plain statements about your identifiers, e.g. an address now linked to another account." },
        },
      },
      servers: {
        type: "array",
        description: "The identity servers searched.",
        items: { type: "object", properties: { serverName: { type: "string" }, searched: { type: "boolean" }, problem: STR_OR_NULL } },
      },
      records: { type: "object", properties: records, required: [...RECORD_KINDS] },
      secrets: {
        type: "array",
        description: "Secrets that exist about you; their values are never included.",
        items: { type: "object", properties: { server: { type: "string" }, table: { type: "string" }, secret: { type: "string" }, count: { type: "number" }, statement: { type: "string" } } },
      },
      redactionPolicy: { type: "object", properties: { version: { type: "string" }, applied: { type: "object", additionalProperties: { type: "number" } } } },
      lastLogCopyExpiresAt: { ...STR_OR_NULL, format: "date-time", description: "When the last copy of a log line mentioning you will be deleted." },
      disclosures: {
        type: "array",
        description: "Exceptional disclosures of your data to third parties (privacy notice 3.4), unless telling you is lawfully deferred.",
        items: {
          type: "object",
          properties: Object.fromEntries(["reference", "disclosedOn", "recipient", "legalBasis", "whatShared"].map((k) => [k, { type: "string" }])),
        },
      },
      restrictions: {
        type: "array",
        description: "Restrictions of processing (Art. 18) in force: your data is only stored until they are lifted.",
        items: { type: "object", properties: { ground: { type: "string" }, since: { type: "string", format: "date" } } },
      },
    },
  };
}
