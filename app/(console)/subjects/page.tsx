import { requireOperator } from "@/lib/auth/guard";
import { can } from "@/lib/authz";
import { allCountries, configuredCountry } from "@/lib/subjects/countries";
import { listOpenRequests } from "@/lib/subjects/link";
import { REVEAL_PURPOSES, REVEAL_PURPOSE_LABELS } from "@/lib/subjects/purposes";
import { SubjectFinder } from "./subject-finder";

export const dynamic = "force-dynamic";
export const metadata = { title: "Find a person" };

// GET /subjects - find a person on every registered identity server and in the log files.
// The page holds no personal data: the search is POSTed (body only, never the URL) and its
// results come back masked; revealing needs an open request (or, for a DPO, a stated purpose).
export default async function SubjectsPage() {
  const op = await requireOperator("subjects.search");
  const canReveal = can(op.role, "subjects.reveal");
  const openRequests = canReveal ? await listOpenRequests() : [];
  return (
    <>
      <h1>Find a person</h1>
      <p className="muted">
        Searches every registered identity server (associations, validation sessions, invites, accounts, other people&apos;s
        signed associations) and every log file still on disk. Results are masked until revealed for an open request
        {can(op.role, "subjects.revealForPurpose") ? " or a stated purpose" : ""}. Every search and every reveal is recorded in the access log.
      </p>
      <SubjectFinder
        canReverseLookup={can(op.role, "subjects.reverseLookup")}
        canReveal={canReveal}
        canRevealForPurpose={can(op.role, "subjects.revealForPurpose")}
        openRequests={openRequests}
        countries={allCountries()}
        defaultCountry={configuredCountry()}
        purposes={REVEAL_PURPOSES.map((p) => ({ value: p, label: REVEAL_PURPOSE_LABELS[p] }))}
      />
    </>
  );
}
