import { useState } from 'react';
import type { Json } from '../api/types';

/** A collapsible JSON tree: objects and arrays open to two levels, long ones start closed. */
export function JsonTree({ value, name, depth = 0 }: { value: Json | undefined; name?: string; depth?: number }) {
  const key = name !== undefined ? <><span className="k">{name}</span>: </> : null;
  if (value === undefined) return <div>{key}<span className="z">—</span></div>;
  if (value === null || typeof value !== 'object') return <div>{key}<Scalar value={value} /></div>;
  const entries: [string, Json][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const open = [Array.isArray(value) ? '[' : '{', Array.isArray(value) ? ']' : '}'] as const;
  if (entries.length === 0) return <div>{key}<span className="z">{open[0]}{open[1]}</span></div>;
  return (
    <details open={depth < 2 && entries.length <= 50}>
      <summary>{key}<span className="z">{open[0]} {Array.isArray(value) ? `${entries.length} items` : `${entries.length} keys`} {open[1]}</span></summary>
      <div className="kids">{entries.map(([k, v]) => <JsonTree key={k} name={k} value={v} depth={depth + 1} />)}</div>
    </details>
  );
}

function Scalar({ value }: { value: string | number | boolean | null }) {
  if (typeof value === 'string') return <span className="s">"{value}"</span>;
  if (typeof value === 'number') return <span className="n">{value}</span>;
  if (typeof value === 'boolean') return <span className="b">{String(value)}</span>;
  return <span className="z">null</span>;
}

/** Arrays of objects read best as a table. */
function tableOf(value: Json | undefined): { columns: string[]; rows: Record<string, Json>[] } | null {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => v && typeof v === 'object' && !Array.isArray(v))) return null;
  const rows = value as Record<string, Json>[];
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].slice(0, 12);
  return { columns, rows };
}

export function JsonView({ value, truncated }: { value: Json | undefined; truncated?: boolean }) {
  const table = tableOf(value);
  const [mode, setMode] = useState<'tree' | 'table' | 'raw'>('tree');
  return (
    <div>
      <div className="row" style={{ gap: 4, marginBottom: 6 }}>
        {(['tree', ...(table ? ['table'] : []), 'raw'] as const).map((m) => (
          <button key={m} className={`btn small ${mode === m ? '' : 'ghost'}`} onClick={() => setMode(m as typeof mode)}>{m}</button>
        ))}
        {truncated && <span className="badge waiting">cut at 64 KB</span>}
      </div>
      {mode === 'raw' ? <pre className="raw">{JSON.stringify(value ?? null, null, 2)}</pre>
        : mode === 'table' && table ? (
          <div style={{ overflowX: 'auto' }}>
            <table className="data json"><thead><tr>{table.columns.map((c) => <th key={c}>{c}</th>)}</tr></thead>
              <tbody>{table.rows.slice(0, 200).map((r, i) => <tr key={i}>{table.columns.map((c) => <td key={c}>{JSON.stringify(r[c] ?? null)}</td>)}</tr>)}</tbody></table>
          </div>
        ) : <div className="json">{<JsonTree value={value} />}</div>}
    </div>
  );
}
