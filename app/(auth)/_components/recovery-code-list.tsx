// Recovery codes, shown exactly once after enrolment or regeneration.
export function RecoveryCodeList({ codes }: { codes: string[] }) {
  return (
    <div role="status">
      <p>
        These are your recovery codes. Each works <strong>once</strong> in place of an authentication code if you
        lose your device. Store them somewhere safe now: they will not be shown again.
      </p>
      <ol className="mono" aria-label="Recovery codes">
        {codes.map((c) => <li key={c}>{c}</li>)}
      </ol>
    </div>
  );
}
