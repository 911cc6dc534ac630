"use client";

/**
 * FilterBar: filters for a DataTable page, kept in the URL like the rest of the table state.
 *
 *   <FilterBar filters={[
 *     { id: "action", label: "Action starts with", type: "text" },
 *     { id: "outcome", label: "Outcome", type: "select", options: [{ value: "ok", label: "OK" }] },
 *     { id: "from", label: "From (UTC)", type: "date" },
 *   ]} />
 *
 * Each filter's `id` is its search param. Text inputs update the URL 400 ms after the last
 * keystroke; selects and dates at once. Any change resets `page` to 1. "Clear filters" removes
 * every listed param. The page's zod schema decides what the values mean.
 */
import { useEffect, useRef, useState } from "react";
import { useUrlState } from "./use-url-state";

export type FilterDef =
  | { id: string; label: string; type: "text"; placeholder?: string; hint?: string; maxLength?: number }
  | { id: string; label: string; type: "select"; options: { value: string; label: string }[]; hint?: string }
  | { id: string; label: string; type: "date"; hint?: string };

const DEBOUNCE_MS = 400;

function TextFilter({ def, urlValue, onCommit }: { def: Extract<FilterDef, { type: "text" }>; urlValue: string; onCommit: (v: string) => void }) {
  const [value, setValue] = useState(urlValue);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const input = useRef<HTMLInputElement>(null);
  // Follow the URL (back button, "Clear filters") unless the user is typing in this box.
  useEffect(() => {
    if (document.activeElement !== input.current) setValue(urlValue);
  }, [urlValue]);
  useEffect(() => () => clearTimeout(timer.current), []);
  const hintId = def.hint ? `filter-${def.id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={`filter-${def.id}`}>{def.label}</label>
      <input
        ref={input}
        id={`filter-${def.id}`}
        type="search"
        value={value}
        placeholder={def.placeholder}
        maxLength={def.maxLength ?? 200}
        aria-describedby={hintId}
        onChange={(e) => {
          const v = e.target.value;
          setValue(v);
          clearTimeout(timer.current);
          timer.current = setTimeout(() => onCommit(v.trim()), DEBOUNCE_MS);
        }}
      />
      {def.hint && <span id={hintId} className="field-hint">{def.hint}</span>}
    </div>
  );
}

export function FilterBar({ filters, label = "Filters" }: { filters: FilterDef[]; label?: string }) {
  const { searchParams, update, isPending } = useUrlState();
  const set = (id: string, v: string) => update({ [id]: v || null, page: null });
  const active = filters.some((f) => searchParams.get(f.id));

  return (
    <form role="search" aria-label={label} className="toolbar" onSubmit={(e) => e.preventDefault()} aria-busy={isPending}>
      {filters.map((f) => {
        const urlValue = searchParams.get(f.id) ?? "";
        if (f.type === "text") return <TextFilter key={f.id} def={f} urlValue={urlValue} onCommit={(v) => set(f.id, v)} />;
        const id = `filter-${f.id}`;
        const hintId = f.hint ? `${id}-hint` : undefined;
        return (
          <div className="field" key={f.id}>
            <label htmlFor={id}>{f.label}</label>
            {f.type === "select" ? (
              <select id={id} value={urlValue} aria-describedby={hintId} onChange={(e) => set(f.id, e.target.value)}>
                <option value="">Any</option>
                {f.options.map((o) => (
                  <option key={o.value} value={o.value}>{o.label}</option>
                ))}
              </select>
            ) : (
              <input id={id} type="date" value={urlValue} aria-describedby={hintId} onChange={(e) => set(f.id, e.target.value)} />
            )}
            {f.hint && <span id={hintId} className="field-hint">{f.hint}</span>}
          </div>
        );
      })}
      <button
        type="button"
        className="btn"
        aria-disabled={!active}
        onClick={() => active && update({ ...Object.fromEntries(filters.map((f) => [f.id, null])), page: null })}
      >
        Clear filters
      </button>
      {isPending && <span className="muted" aria-hidden="true">Updating…</span>}
    </form>
  );
}
