import Papa from "papaparse";
import type { ReviewFile } from "@/lib/exports/review";
import type { Redaction } from "@/lib/exports/types";

// The package's content as it will be released: the guide in a sandboxed frame (no scripts, no
// same-origin access), the first rows of every CSV, and every redaction (before masked, after
// exactly as released).

const PREVIEW_ROWS = 10;

export function GuideFrame({ file }: { file: ReviewFile }) {
  return <iframe title="The guide (guide.html) as the requester will see it" sandbox="" srcDoc={file.text} style={{ width: "100%", height: "32rem", border: "1px solid #999" }} />;
}

export function CsvPreview({ file }: { file: ReviewFile }) {
  const parsed = Papa.parse<string[]>(file.text.trim(), { skipEmptyLines: true });
  const [head = [], ...rows] = parsed.data;
  // Custodian wrote these files itself; should one still not parse, say so instead of showing a wrong table.
  if (parsed.errors.length > 0) {
    const e = parsed.errors[0];
    return <p className="banner-error" role="alert"><span className="mono">{file.name}</span> cannot be previewed: {e.message}{typeof e.row === "number" ? ` (row ${e.row + 1})` : ""}. Download the package to inspect it.</p>;
  }
  return (
    <details>
      <summary><span className="mono">{file.name}</span> — {rows.length} row(s)</summary>
      <div style={{ overflowX: "auto" }}>
        <div className="table-scroll"><table className="data">
          <caption className="muted">First {Math.min(PREVIEW_ROWS, rows.length)} of {rows.length} rows</caption>
          <thead><tr>{head.map((h) => <th key={h} scope="col">{h}</th>)}</tr></thead>
          <tbody>
            {rows.slice(0, PREVIEW_ROWS).map((r, i) => (
              <tr key={i}>{r.map((c, j) => <td key={j} className="mono" style={{ maxWidth: "40rem", overflowWrap: "anywhere" }}>{c}</td>)}</tr>
            ))}
          </tbody>
        </table></div>
      </div>
    </details>
  );
}

export function RedactionList({ redactions }: { redactions: Redaction[] }) {
  if (redactions.length === 0) return <p className="muted">No third-party data or secret needed redacting.</p>;
  return (
    <div className="table-scroll"><table className="data">
      <caption>{redactions.length} redaction(s) under policy custodian-redaction/1</caption>
      <thead><tr><th scope="col">Rule</th><th scope="col">Record</th><th scope="col">Where</th><th scope="col">Before (masked)</th><th scope="col">Released as</th></tr></thead>
      <tbody>
        {redactions.map((r, i) => (
          <tr key={i}><td>{r.rule}</td><td>{r.recordKind}</td><td className="mono">{r.where}</td><td className="mono">{r.before}</td><td className="mono">{r.after}</td></tr>
        ))}
      </tbody>
    </table></div>
  );
}
