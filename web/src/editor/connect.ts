// Which connections the engine accepts (docs/workflows.md): the canvas refuses the others with a reason.
import type { WorkflowDocument } from '../api/types';
import { type Catalog, edgeKey, inputsOf, outputsOf, parseEnd, type PortRef } from './graph';

export type Verdict = { ok: true } | { ok: false; reason: string };

export function checkConnection(doc: WorkflowDocument, catalog: Catalog, from: PortRef, to: PortRef): Verdict {
  const source = doc.nodes.find((n) => n.id === from.node);
  const target = doc.nodes.find((n) => n.id === to.node);
  if (!source || !target) return { ok: false, reason: 'That node no longer exists.' };
  if (from.node === to.node) return { ok: false, reason: 'A node cannot feed itself.' };
  if (!outputsOf(source, catalog).includes(from.port)) return { ok: false, reason: `'${source.id}' has no output '${from.port}'.` };
  const inputs = inputsOf(target, catalog);
  if (inputs.length === 0) return { ok: false, reason: `'${target.id}' is a trigger: runs start there, nothing flows into it.` };
  if (!inputs.includes(to.port)) return { ok: false, reason: `'${target.id}' has no input '${to.port}'.` };
  const key = `${from.node}.${from.port}->${to.node}.${to.port}`;
  if (doc.edges.some((e) => edgeKey(e) === key)) return { ok: false, reason: 'These ports are already connected.' };
  if (reaches(doc, to.node, from.node)) {
    return { ok: false, reason: `That would make a cycle ('${target.id}' already leads to '${source.id}'). Repeat work with a Loop or Jump node.` };
  }
  return { ok: true };
}

/** Whether a path of edges leads from one node to another. */
export function reaches(doc: WorkflowDocument, start: string, goal: string): boolean {
  const next = new Map<string, string[]>();
  for (const e of doc.edges) {
    const a = parseEnd(e.from, 'from').node;
    next.set(a, [...(next.get(a) ?? []), parseEnd(e.to, 'to').node]);
  }
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === goal) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(next.get(id) ?? []));
  }
  return false;
}
