// The settings panel of a node, generated from its type's JSON Schema.
import { useEffect, useState } from 'react';
import type { Json, JsonObject, JsonSchema } from '../api/types';
import { CodeEditor } from './CodeEditor';
import { asExpression, expressionOf, type FieldMode, modeOf, previewTypeProblem, switchMode, valueProblems } from './expressions';
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
  /** Settings the engine takes as they are (never evaluated): no expression toggle for them. */
  rawSettings?: readonly string[];
  /** Nodes that run before this one (what expressions may read); null when unknown. */
  upstream?: ReadonlySet<string> | null;
  /** Read-only: the values are shown, nothing can be changed. */
  readOnly?: boolean;
}

export function SettingsForm({ schema, settings, problems, onChange, onEditStart, onEditEnd, previewContext, rawSettings = [], upstream = null, readOnly = false }: Props) {
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0) return <p className="muted">This node has no settings.</p>;
  const set = (name: string, value: Json | undefined) => {
    const next = { ...settings };
    if (value === undefined) delete next[name];
    else next[name] = value;
    onChange(next);
  };
  return (
    <fieldset className="settings" disabled={readOnly}>
      {properties.map(([name, property]) => (
        <SettingField key={name} name={name} schema={property} required={schema.required?.includes(name) ?? false}
          value={settings[name]} problems={problems[name] ?? []} onChange={(v) => set(name, v)} onEditStart={onEditStart} onEditEnd={onEditEnd}
          previewContext={previewContext} raw={rawSettings.includes(name)} upstream={upstream} readOnly={readOnly} />
      ))}
    </fieldset>
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

function SettingField({ name, schema, required, value, problems, onChange, onEditStart, onEditEnd, previewContext, raw, upstream, readOnly }: {
  name: string; schema: JsonSchema; required: boolean; value: Json | undefined; problems: string[];
  onChange: (value: Json | undefined) => void; onEditStart: () => void; onEditEnd: () => void; previewContext: PreviewContext | null;
  raw: boolean; upstream: ReadonlySet<string> | null; readOnly: boolean;
}) {
  const previewed = usePreview(value, previewContext);
  const kind = fieldKind(schema);
  const mode = raw || kind === 'code' ? 'fixed' : modeOf(value);
  const shown = (v: Json | undefined) => (mode === 'expression' ? expressionOf(v) ?? '' : toText(v, kind));
  const [text, setText] = useState(() => shown(value));
  const [error, setError] = useState<string | undefined>();
  const [focused, setFocused] = useState(false);
  // Undo, redo, a reload or the toggle change the value underneath: show it, unless this field is being typed in.
  useEffect(() => {
    if (!focused) {
      setText(mode === 'expression' ? expressionOf(value) ?? '' : toText(value, kind));
      setError(undefined);
    }
  }, [value, kind, focused, mode]);
  const id = `setting-${name}`;
  const typed = (next: string) => {
    setText(next);
    const read = fromText(next, kind, schema);
    setError(read.error);
    if (!read.error) onChange(read.value);
  };
  const typedExpression = (js: string) => {
    setText(js);
    setError(undefined);
    onChange(asExpression(js));
  };
  const toggle = (to: FieldMode) => {
    if (to === mode) return;
    onChange(switchMode(value, to, schema, previewed?.ok ? { value: previewed.value } : undefined));
  };
  const focus = { onFocus: () => { setFocused(true); onEditStart(); }, onBlur: () => { setFocused(false); onEditEnd(); } };
  const scriptIssues = raw ? [] : valueProblems(value, upstream);
  const typeIssue = mode === 'expression' && previewed?.ok && scriptIssues.length === 0 ? previewTypeProblem(previewed.value, schema) : null;
  const template = mode === 'fixed' && typeof value === 'string' && hasExpression(value);
  const label = (
    <div className="field-head">
      <label htmlFor={id}>
        {name}{required && <span className="required" aria-hidden>*</span>}
        {template && <span className="badge plain brand" title="Text with {{ expressions }} inside, filled in when the node runs">template</span>}
      </label>
      <span className="spacer" />
      {!raw && kind !== 'code' && (
        <span className="mode-switch" role="group" aria-label={`How ${name} is given`}>
          <button type="button" className={mode === 'fixed' ? 'on' : ''} aria-pressed={mode === 'fixed'} disabled={readOnly}
            title="A fixed value" onClick={() => toggle('fixed')}>Fixed</button>
          <button type="button" className={mode === 'expression' ? 'on' : ''} aria-pressed={mode === 'expression'} disabled={readOnly}
            title="A JavaScript expression evaluated when the node runs: ={{ … }}" onClick={() => toggle('expression')}>Expression</button>
        </span>
      )}
    </div>
  );
  let control;
  if (mode === 'expression') {
    control = (
      <div className="expr-input">
        <span className="expr-brace" aria-hidden>{'{{'}</span>
        <CodeEditor id={id} value={text} onChange={typedExpression} rows={text.includes('\n') ? 4 : 1} {...focus} />
        <span className="expr-brace" aria-hidden>{'}}'}</span>
      </div>
    );
  } else switch (kind) {
    case 'enum':
      control = (
        <select id={id} className="input" value={value === undefined ? '' : JSON.stringify(value)}
          onChange={(e) => onChange(e.target.value === '' ? undefined : (JSON.parse(e.target.value) as Json))}>
          {(!required || value === undefined) && <option value="">{schema.default !== undefined ? `default (${String(schema.default)})` : '—'}</option>}
          {value !== undefined && !schema.enum!.some((o) => JSON.stringify(o) === JSON.stringify(value)) && <option value={JSON.stringify(value)}>{String(value)}</option>}
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
  const messages = [...(error ? [error] : []), ...scriptIssues, ...problems];
  const hint = mode === 'expression'
    ? 'JavaScript over input, trigger, nodes.<id>.output, env and execution; its value, of any type, becomes the setting.'
    : kind !== 'boolean' && schema.description ? `${schema.description}${kind === 'any' ? ' JSON, text, or ={{ expression }}.' : ''}` : null;
  return (
    <div className={`field${messages.length ? ' has-problem' : ''}`} data-testid={`field-${name}`} data-mode={mode}>
      {label}
      {control}
      {hint && <span className="hint">{hint}</span>}
      {messages.map((p) => <span key={p} className="error" role="alert">{p}</span>)}
      {typeIssue && <span className="warning">{typeIssue}</span>}
      {value !== undefined && kind !== 'code' && !raw && hasExpression(value) && (
        <div className={`preview${previewed && !previewed.ok ? ' failed' : ''}`} data-testid={`preview-${name}`}>
          <span className="preview-label">{previewContext ? 'preview with the last run' : 'run once to preview with real data'}</span>
          {previewed && (previewed.ok ? <code>{JSON.stringify(previewed.value)}</code> : <code>{previewed.error}</code>)}
        </div>
      )}
    </div>
  );
}
