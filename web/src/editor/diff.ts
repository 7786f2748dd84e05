// A readable difference between two workflow documents (a version and the draft): what a reviewer asks about.
import type { Json, WorkflowDocument, WorkflowNode } from '../api/types';
import { edgeKey } from './graph';

export type Change =
  | { kind: 'node-added'; node: string; type: string }
  | { kind: 'node-removed'; node: string; type: string }
  | { kind: 'setting'; node: string; name: string; before: Json | undefined; after: Json | undefined }
  | { kind: 'field'; node: string; name: 'type' | 'label' | 'notes' | 'disabled' | 'retry' | 'timeoutMs'; before: Json | undefined; after: Json | undefined }
  | { kind: 'edge-added'; edge: string }
  | { kind: 'edge-removed'; edge: string }
  | { kind: 'pinned'; node: string; before: Json | undefined; after: Json | undefined };

function same(a: Json | undefined, b: Json | undefined): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** Object keys sorted, so that {a, b} and {b, a} compare equal. */
function canonical(value: Json | undefined): Json | undefined {
  if (Array.isArray(value)) return value.map((v) => canonical(v) ?? null);
  if (value && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const key of Object.keys(value).sort()) out[key] = canonical(value[key]) ?? null;
    return out;
  }
  return value;
}

const fields = ['type', 'label', 'notes', 'disabled', 'retry', 'timeoutMs'] as const;

/** Changes from `before` to `after`, node by node in the order of `after`; positions are not changes. */
export function diffDocuments(before: WorkflowDocument, after: WorkflowDocument): Change[] {
  const changes: Change[] = [];
  const old = new Map(before.nodes.map((n) => [n.id, n]));
  const now = new Map(after.nodes.map((n) => [n.id, n]));
  for (const node of after.nodes) {
    const was = old.get(node.id);
    if (!was) {
      changes.push({ kind: 'node-added', node: node.id, type: node.type });
      continue;
    }
    for (const name of fields) {
      const a = was[name] as Json | undefined;
      const b = node[name] as Json | undefined;
      if (!same(a, b)) changes.push({ kind: 'field', node: node.id, name, before: a, after: b });
    }
    changes.push(...settingChanges(was, node));
  }
  for (const node of before.nodes) if (!now.has(node.id)) changes.push({ kind: 'node-removed', node: node.id, type: node.type });
  const oldEdges = new Set(before.edges.map(edgeKey));
  const newEdges = new Set(after.edges.map(edgeKey));
  for (const e of newEdges) if (!oldEdges.has(e)) changes.push({ kind: 'edge-added', edge: e });
  for (const e of oldEdges) if (!newEdges.has(e)) changes.push({ kind: 'edge-removed', edge: e });
  const pins = new Set([...Object.keys(before.pinned ?? {}), ...Object.keys(after.pinned ?? {})]);
  for (const node of pins) {
    const a = before.pinned?.[node];
    const b = after.pinned?.[node];
    if (!same(a, b)) changes.push({ kind: 'pinned', node, before: a, after: b });
  }
  return changes;
}

function settingChanges(was: WorkflowNode, node: WorkflowNode): Change[] {
  const a = was.settings ?? {};
  const b = node.settings ?? {};
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return names.filter((name) => !same(a[name], b[name])).map((name) => ({ kind: 'setting', node: node.id, name, before: a[name], after: b[name] }));
}

const show = (v: Json | undefined) => (v === undefined ? '(none)' : JSON.stringify(v));

/** One line per change, as the history panel shows it. */
export function describe(change: Change): string {
  switch (change.kind) {
    case 'node-added': return `+ node ${change.node} (${change.type})`;
    case 'node-removed': return `− node ${change.node} (${change.type})`;
    case 'setting': return `~ ${change.node}.${change.name}: ${show(change.before)} → ${show(change.after)}`;
    case 'field': return `~ ${change.node} ${change.name}: ${show(change.before)} → ${show(change.after)}`;
    case 'edge-added': return `+ edge ${change.edge}`;
    case 'edge-removed': return `− edge ${change.edge}`;
    case 'pinned': return `~ pinned ${change.node}: ${show(change.before)} → ${show(change.after)}`;
  }
}
