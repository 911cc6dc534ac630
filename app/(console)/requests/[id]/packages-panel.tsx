"use client";

import Link from "next/link";
import { useActionState } from "react";
import { generatePackageAction } from "@/lib/exports/actions";
import type { RequestPackageRow } from "@/lib/exports/queries";

// The request page's "Packages" section: the request's packages and, for access and
// portability requests, the Generate form (exports.generate).

export function PackagesPanel(props: { requestId: string; requestType: string; packages: RequestPackageRow[]; canGenerate: boolean }) {
  const [state, action, pending] = useActionState(generatePackageAction, {});
  return (
    <>
      {props.packages.length === 0 ? (
        <p className="muted">No packages yet.</p>
      ) : (
        <div className="table-scroll"><table className="data">
          <thead><tr><th scope="col">Generated</th><th scope="col">Kind</th><th scope="col">State</th><th scope="col">By</th><th scope="col">Approved by</th></tr></thead>
          <tbody>
            {props.packages.map((p) => (
              <tr key={p.id}>
                <td><Link href={`/requests/${props.requestId}/packages/${p.id}`}>{p.generatedAt.slice(0, 16).replace("T", " ")} UTC</Link></td>
                <td>{p.kind}</td><td><span className="badge">{p.state}</span></td><td>{p.generatedBy}</td><td>{p.approvedBy ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table></div>
      )}
      {props.canGenerate && (
        <form action={action} aria-label="Generate a package">
          <input type="hidden" name="requestId" value={props.requestId} />
          <div className="field">
            <label htmlFor="package-kind">Kind of package</label>
            <select id="package-kind" name="kind" defaultValue={props.requestType === "portability" ? "portability" : "access"}>
              <option value="access">Access (Art. 15)</option>
              <option value="portability">Portability (Art. 20)</option>
            </select>
            <div className="field-hint">Searches every identity server and log for the people linked to this request. Takes a while for large logs.</div>
          </div>
          <div aria-live="polite">
            {state.message && <div className={state.ok ? "banner-ok" : "banner-error"} role={state.ok ? "status" : "alert"}>{state.message}</div>}
            {state.packageId && <p><Link href={`/requests/${props.requestId}/packages/${state.packageId}`}>Review the package</Link></p>}
          </div>
          <button type="submit" className="btn btn-primary" disabled={pending}>{pending ? "Generating…" : "Generate package"}</button>
        </form>
      )}
    </>
  );
}
