// The settings panel of a node, generated from its type's JSON Schema.
import { useEffect, useState } from 'react';
import type { Json, JsonObject, JsonSchema } from '../api/types';
import { CodeEditor } from './CodeEditor';
import { hasExpression, preview, type PreviewContext, type PreviewResult } from './preview';

export type FieldKind = 'enum' | 'code' | 'text' | 'number' | 'boolean' | 'json' | 'any';

export function fieldKind(schema: JsonSchema): FieldKind {
  const type = Array.isArray(schema.type) ? undefined : schema.type;
  if (schema.enum) return 'enum';
  if (type === 'string') return schema.format === 'javascript' ? 'code' : 'text';
  if (type === 'integer' || type === 'number') return 'number';
  if (type === 'boolean') return 'boolean';
  if (type === 'object' || type === 'array') return 'json';
  return 'any';
}

/** The text a field shows for a value: strings as they are for text-like fields, everything else as JSON. */
export function toText(value: Json | undefined, kind: FieldKind): string {
  if (value === undefined) return '';
  if (typeof value === 'string' && (kind === 'text' || kind === 'code' || kind === 'any')) return value;
  return JSON.stringify(value, null, 2);
}

/** What a field's text means. `undefined` value: the setting is removed. An error: the text cannot be that kind. */
export function fromText(text: string, kind: FieldKind, schema: JsonSchema): { value?: Json; error?: string } {
  if (text.trim() === '' && kind !== 'text' && kind !== 'code') return {};
  switch (kind) {
    case 'text':
    case 'code':
      return { value: text };
    case 'number': {
      const n = Number(text);
      if (!Number.isFinite(n)) return { error: 'must be a number' };
      if (schema.type === 'integer' && !Number.isInteger(n)) return { error: 'must be a whole number' };
      if (schema.minimum !== undefined && n < schema.minimum) return { error: `must be at least ${schema.minimum}` };
      if (schema.maximum !== undefined && n > schema.maximum) return { error: `must be at most ${schema.maximum}` };
      return { value: n };
    }
    case 'json': {
      try {
        const value = JSON.parse(text) as Json;
        const want = schema.type === 'array' ? Array.isArray(value) : value !== null && typeof value === 'object' && !Array.isArray(value);
        return want ? { value } : { error: `must be a JSON ${schema.type}` };
      } catch (e) {
        return { error: `not JSON: ${(e as Error).message}` };
      }
    }
    case 'any': {
      // JSON when it reads as JSON (objects, numbers, true), else the text itself: "Hello {{ x }}" or "={{ input.a }}".
      const trimmed = text.trim();
      if (/^[[{"\d-]|^(true|false|null)$/.test(trimmed)) {
        try {
          return { value: JSON.parse(trimmed) as Json };
        } catch {
          if (/^[[{]/.test(trimmed)) return { error: 'starts like JSON but is not valid JSON' };
        }
      }
      return { value: text };
    }
    default:
      return { value: text };
  }
}

interface Props {
  schema: JsonSchema;
  settings: JsonObject;
  problems: Record<string, string[]>;
  onChange: (settings: JsonObject) => void;
  /** A text field got focus / lost it: typing in between is one undo step. */
  onEditStart: () => void;
  onEditEnd: () => void;
  /** The last run's data for previews of expressions; null before the first run. */
  previewContext: PreviewContext | null;
}

export function SettingsForm({ schema, settings, problems, onChange, onEditStart, onEditEnd, previewContext }: Props) {
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0) return <p className="muted">This node has no settings.</p>;
  const set = (name: string, value: Json | undefined) => {
    const next = { ...settings };
    if (value === undefined) delete next[name];
    else next[name] = value;
    onChange(next);
  };
  return (
    <>
      {properties.map(([name, property]) => (
        <SettingField key={name} name={name} schema={property} required={schema.required?.includes(name) ?? false}
          value={settings[name]} problems={problems[name] ?? []} onChange={(v) => set(name, v)} onEditStart={onEditStart} onEditEnd={onEditEnd}
          previewContext={previewContext} />
      ))}
    </>
  );
}

/** The preview of a value's expressions, re-evaluated shortly after each change. */
function usePreview(value: Json | undefined, context: PreviewContext | null): PreviewResult | null {
  const [result, setResult] = useState<PreviewResult | null>(null);
  useEffect(() => {
    if (!context || value === undefined || !hasExpression(value)) {
      setResult(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => void preview(value, context).then((r) => live && setResult(r)), 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [value, context]);
  return result;
}

function SettingField({ name, schema, required, value, problems, onChange, onEditStart, onEditEnd, previewContext }: {
  name: string; schema: JsonSchema; required: boolean; value: Json | undefined; problems: string[];
  onChange: (value: Json | undefined) => void; onEditStart: () => void; onEditEnd: () => void; previewContext: PreviewContext | null;
}) {
  const previewed = usePreview(value, previewContext);
  const kind = fieldKind(schema);
  const [text, setText] = useState(() => toText(value, kind));
  const [error, setError] = useState<string | undefined>();
  const [focused, setFocused] = useState(false);
  // Undo, redo or a reload change the value underneath: show it, unless this field is being typed in.
  useEffect(() => {
    if (!focused) {
      setText(toText(value, kind));
      setError(undefined);
    }
  }, [value, kind, focused]);
  const id = `setting-${name}`;
  const typed = (next: string) => {
    setText(next);
    const read = fromText(next, kind, schema);
    setError(read.error);
    if (!read.error) onChange(read.value);
  };
  const focus = { onFocus: () => { setFocused(true); onEditStart(); }, onBlur: () => { setFocused(false); onEditEnd(); } };
  const expression = typeof value === 'string' && /\{\{/.test(value);
  const label = (
    <label htmlFor={id}>
      {name}{required && <span style={{ color: 'var(--bad)' }}>*</span>}
      {expression && <span className="badge plain brand" title="Evaluated when the node runs">{value.startsWith('=') ? 'expression' : 'template'}</span>}
    </label>
  );
  let control;
  switch (kind) {
    case 'enum':
      control = (
        <select id={id} className="input" value={value === undefined ? '' : JSON.stringify(value)}
          onChange={(e) => onChange(e.target.value === '' ? undefined : (JSON.parse(e.target.value) as Json))}>
          {(!required || value === undefined) && <option value="">{schema.default !== undefined ? `default (${String(schema.default)})` : '—'}</option>}
          {schema.enum!.map((option) => <option key={JSON.stringify(option)} value={JSON.stringify(option)}>{String(option)}</option>)}
        </select>
      );
      break;
    case 'boolean':
      control = (
        <label className="row" style={{ fontWeight: 400 }}>
          <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} /> {schema.description}
        </label>
      );
      break;
    case 'code':
      control = <CodeEditor id={id} value={text} onChange={typed} rows={7} {...focus} />;
      break;
    case 'number':
      control = <input id={id} className={`input${error ? ' invalid' : ''}`} inputMode="numeric" value={text} placeholder={schema.default !== undefined ? String(schema.default) : ''} onChange={(e) => typed(e.target.value)} {...focus} />;
      break;
    case 'text':
      control = <input id={id} className={`input${error ? ' invalid' : ''}`} value={text} placeholder={schema.default !== undefined ? String(schema.default) : ''} onChange={(e) => typed(e.target.value)} {...focus} />;
      break;
    default:
      control = <textarea id={id} className={`input${error ? ' invalid' : ''}`} rows={kind === 'json' || text.includes('\n') ? 5 : 2} value={text} spellCheck={false} onChange={(e) => typed(e.target.value)} {...focus} />;
  }
  return (
    <div className="field">
      {label}
      {control}
      {kind !== 'boolean' && schema.description && <span className="hint">{schema.description}{kind === 'any' && ' JSON, text, or ={{ expression }}.'}</span>}
      {error && <span className="error">{error}</span>}
      {problems.map((p) => <span key={p} className="error">{p}</span>)}
      {value !== undefined && kind !== 'code' && hasExpression(value) && (
        <div className={`preview${previewed && !previewed.ok ? ' failed' : ''}`} data-testid={`preview-${name}`}>
          <span className="preview-label">{previewContext ? 'preview with the last run' : 'run once to preview with real data'}</span>
          {previewed && (previewed.ok ? <code>{JSON.stringify(previewed.value)}</code> : <code>{previewed.error}</code>)}
        </div>
      )}
    </div>
  );
}
