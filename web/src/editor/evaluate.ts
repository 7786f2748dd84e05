// Evaluates a setting's value against a run's data the way the engine resolves it (docs/workflows.md): whole-value
// expressions give any JSON type, templates give text (objects as JSON, null and undefined as nothing). Runs inside the
// preview worker (preview.worker.ts), never on the page.
import type { Json, JsonObject } from '../api/types';
import { meaningOf } from './expressions';

export interface PreviewContext {
  input: Json;
  trigger: Json;
  nodes: Record<string, { output: Json }>;
  env: JsonObject;
  execution: { id: string; stage: string; workflow: string };
}

export function evaluateValue(value: unknown, context: PreviewContext): unknown {
  const names = ['input', 'trigger', 'nodes', 'env', 'execution', 'secret'];
  // Secrets never reach the browser: a preview shows where one would go.
  const secret = (name: string) => `<secret:${name}>`;
  const run = (js: string): unknown =>
    new Function(...names, `"use strict"; return (${js}\n);`)(context.input, context.trigger, context.nodes, context.env, context.execution, secret);
  const text = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const meaning = meaningOf(v);
      if (meaning.kind === 'expression') return run(meaning.js);
      if (meaning.kind === 'template') return meaning.parts.map((p) => (p.expression ? text(run(p.text)) : p.text)).join('');
      return meaning.text;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}
