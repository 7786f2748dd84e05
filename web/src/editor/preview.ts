// Previews of expressions and templates against the last run's data, evaluated in the browser: in a Web Worker, so
// an expression (which another member may have written) sees no page, storage or token, and a runaway one is
// terminated. The engine evaluates in its own sandbox when the workflow runs; this is a preview, labelled as such.
import type { Json, JsonObject } from '../api/types';

export interface PreviewContext {
  input: Json;
  trigger: Json;
  nodes: Record<string, { output: Json }>;
  env: JsonObject;
  execution: { id: string; stage: string; workflow: string };
}

export type PreviewResult = { ok: true; value: Json } | { ok: false; error: string };

/** Whether a setting's value holds an expression or a template anywhere inside it. */
export function hasExpression(value: Json | undefined): boolean {
  if (typeof value === 'string') return value.includes('{{');
  if (Array.isArray(value)) return value.some(hasExpression);
  if (value && typeof value === 'object') return Object.values(value).some(hasExpression);
  return false;
}

/**
 * Resolves expressions ("={{ js }}", any JSON type) and templates ("a {{ js }} b": objects as JSON, null and
 * undefined as nothing) inside a value, as docs/workflows.md describes. Self-contained: it also runs in the worker.
 */
export function evaluateValue(value: unknown, context: PreviewContext): unknown {
  const names = ['input', 'trigger', 'nodes', 'env', 'execution', 'secret'];
  const secret = (name: string) => `<secret:${name}>`;
  const run = (js: string): unknown =>
    new Function(...names, `"use strict"; return (${js});`)(context.input, context.trigger, context.nodes, context.env, context.execution, secret);
  const text = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = /^=\{\{([\s\S]*)\}\}$/.exec(v.trim());
      if (whole && !whole[1]!.includes('{{')) return run(whole[1]!);
      return v.includes('{{') ? v.replace(/\{\{([\s\S]*?)\}\}/g, (_, js: string) => text(run(js))) : v;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}

const timeoutMs = 800;
let worker: Worker | null = null;
let sequence = 0;
const waiting = new Map<number, (result: PreviewResult) => void>();

function start(): Worker {
  const source = `const evaluateValue = ${evaluateValue.toString()};
onmessage = (e) => {
  const { id, value, context } = e.data;
  try {
    const result = evaluateValue(value, context);
    postMessage({ id, ok: true, value: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (error) {
    postMessage({ id, ok: false, error: String((error && error.message) || error) });
  }
};`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const created = new Worker(url);
  URL.revokeObjectURL(url);
  created.onmessage = (e: MessageEvent<{ id: number } & PreviewResult>) => {
    const done = waiting.get(e.data.id);
    waiting.delete(e.data.id);
    const { id: _, ...result } = e.data;
    done?.(result as PreviewResult);
  };
  return created;
}

export function preview(value: Json, context: PreviewContext): Promise<PreviewResult> {
  worker ??= start();
  const id = ++sequence;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    worker!.postMessage({ id, value, context });
    setTimeout(() => {
      if (!waiting.has(id)) return;
      waiting.delete(id);
      // A loop that never ends: the worker is stopped and the next preview starts a fresh one.
      worker?.terminate();
      worker = null;
      for (const other of waiting.values()) other({ ok: false, error: 'stopped: took longer than 0.8 s' });
      waiting.clear();
      resolve({ ok: false, error: 'stopped: took longer than 0.8 s' });
    }, timeoutMs);
  });
}
