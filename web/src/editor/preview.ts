// Previews of expressions and templates against the last run's data, evaluated in the browser: in a Web Worker, so
// an expression (which another member may have written) sees no page, storage or token, and a runaway one is
// terminated. The engine evaluates in its own sandbox when the workflow runs; this is a preview, labelled as such.
import type { Json } from '../api/types';
import { scriptsIn } from './expressions';

export { evaluateValue, type PreviewContext } from './evaluate';
import type { PreviewContext } from './evaluate';

export type PreviewResult = { ok: true; value: Json } | { ok: false; error: string };

/** Whether a setting's value holds an expression or a template anywhere inside it. */
export function hasExpression(value: Json | undefined): boolean {
  return scriptsIn(value).length > 0;
}

const timeoutMs = 800;
let worker: Worker | null = null;
let sequence = 0;
const waiting = new Map<number, (result: PreviewResult) => void>();

function start(): Worker {
  const created = new Worker(new URL('./preview.worker.ts', import.meta.url), { type: 'module' });
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
