// An input's error text: referenced by the input's aria-describedby and announced when it changes.
export function FieldError({ id, messages }: { id: string; messages?: string[] }) {
  return (
    <div id={id} className="field-error" aria-live="polite">
      {messages?.map((m) => <p key={m}>{m}</p>)}
    </div>
  );
}
