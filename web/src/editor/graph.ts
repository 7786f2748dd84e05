// Pure operations on a workflow document: every canvas edit is one of these, so undo/redo and tests see plain data.
import type { Json, JsonObject, NodeType, Position, WorkflowDocument, WorkflowEdge, WorkflowNode } from '../api/types';

export const defaultInput = 'in';
export const defaultOutput = 'out';
export const errorPort = 'error';

export interface PortRef {
  node: string;
  port: string;
}

/** "check.true" → {check, true}; a bare id is the default port of that side. */
export function parseEnd(text: string, side: 'from' | 'to'): PortRef {
  const dot = text.indexOf('.');
  if (dot < 0) return { node: text, port: side === 'from' ? defaultOutput : defaultInput };
  return { node: text.slice(0, dot), port: text.slice(dot + 1) };
}

export function formatEnd(ref: PortRef, side: 'from' | 'to'): string {
  const bare = side === 'from' ? defaultOutput : defaultInput;
  return ref.port === bare ? ref.node : `${ref.node}.${ref.port}`;
}

export function edgeKey(edge: WorkflowEdge): string {
  const from = parseEnd(edge.from, 'from');
  const to = parseEnd(edge.to, 'to');
  return `${from.node}.${from.port}->${to.node}.${to.port}`;
}

export type Catalog = ReadonlyMap<string, NodeType>;

export function catalogOf(types: NodeType[]): Catalog {
  return new Map(types.map((t) => [t.type, t]));
}

/** Output ports a node has now: declared ones, switch cases, and the implicit error port (not for triggers). */
export function outputsOf(node: WorkflowNode, catalog: Catalog): string[] {
  const type = catalog.get(node.type);
  if (!type) return [defaultOutput];
  const ports = [...type.outputs];
  if (type.dynamicOutputs) {
    const cases = node.settings?.cases;
    if (Array.isArray(cases)) {
      for (const c of cases) {
        const port = c && typeof c === 'object' && !Array.isArray(c) ? c.port : undefined;
        if (typeof port === 'string' && port && !ports.includes(port)) ports.unshift(port);
      }
    }
  }
  if (!type.isTrigger) ports.push(errorPort);
  return ports;
}

export function inputsOf(node: WorkflowNode, catalog: Catalog): string[] {
  return catalog.get(node.type)?.inputs ?? [defaultInput];
}

/** A new id from the type's last word ("code.js" → "js", "http.trigger" → "trigger"), unique in the document. */
export function newNodeId(doc: WorkflowDocument, type: string): string {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const words = type.split('.');
  const base = (words[words.length - 1] ?? 'node').replace(/[^A-Za-z0-9_-]/g, '') || 'node';
  const start = /^[A-Za-z_]/.test(base) ? base : `n${base}`;
  if (!taken.has(start)) return start;
  for (let i = 2; ; i++) if (!taken.has(`${start}${i}`)) return `${start}${i}`;
}

/** Settings a new node starts with: the schema's defaults of required properties, and empty required strings. */
export function initialSettings(type: NodeType | undefined): JsonObject {
  const settings: JsonObject = {};
  const schema = type?.settingsSchema;
  for (const name of schema?.required ?? []) {
    const property = schema?.properties?.[name];
    if (property?.default !== undefined) settings[name] = property.default;
    else if (property?.type === 'string') settings[name] = property.enum?.[0] ?? '';
    else if (property?.type === 'array') settings[name] = [];
  }
  return settings;
}

export function addNode(doc: WorkflowDocument, node: WorkflowNode): WorkflowDocument {
  return { ...doc, nodes: [...doc.nodes, node] };
}

export function removeNodes(doc: WorkflowDocument, ids: readonly string[]): WorkflowDocument {
  if (ids.length === 0) return doc;
  const gone = new Set(ids);
  const nodes = doc.nodes.filter((n) => !gone.has(n.id));
  if (nodes.length === doc.nodes.length) return doc;
  const edges = doc.edges.filter((e) => !gone.has(parseEnd(e.from, 'from').node) && !gone.has(parseEnd(e.to, 'to').node));
  let pinned = doc.pinned;
  if (pinned && ids.some((id) => id in pinned!)) {
    pinned = { ...pinned };
    for (const id of ids) delete pinned[id];
  }
  return pinned === doc.pinned ? { ...doc, nodes, edges } : { ...doc, nodes, edges, pinned };
}

export function moveNodes(doc: WorkflowDocument, positions: Readonly<Record<string, Position>>): WorkflowDocument {
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    const to = positions[n.id];
    if (!to || (n.position && n.position.x === to.x && n.position.y === to.y)) return n;
    changed = true;
    return { ...n, position: { x: to.x, y: to.y } };
  });
  return changed ? { ...doc, nodes } : doc;
}

export function addEdge(doc: WorkflowDocument, from: PortRef, to: PortRef): WorkflowDocument {
  return { ...doc, edges: [...doc.edges, { from: formatEnd(from, 'from'), to: formatEnd(to, 'to') }] };
}

export function removeEdges(doc: WorkflowDocument, keys: readonly string[]): WorkflowDocument {
  const gone = new Set(keys);
  const edges = doc.edges.filter((e) => !gone.has(edgeKey(e)));
  return edges.length === doc.edges.length ? doc : { ...doc, edges };
}

export type NodeChange = Partial<Pick<WorkflowNode, 'settings' | 'label' | 'notes' | 'disabled'>>;

/** Changes a node's fields; undefined, empty labels/notes and `disabled: false` are removed so documents stay minimal. */
export function updateNode(doc: WorkflowDocument, id: string, change: NodeChange): WorkflowDocument {
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    if (n.id !== id) return n;
    const next: WorkflowNode = { ...n, ...change };
    for (const key of ['label', 'notes'] as const) if (next[key] === '' || next[key] === undefined) delete next[key];
    if (!next.disabled) delete next.disabled;
    if (next.settings && Object.keys(next.settings).length === 0) delete next.settings;
    changed = true;
    return next;
  });
  return changed ? { ...doc, nodes } : doc;
}

/** Renames a node and every edge and pin that names it. */
export function renameNode(doc: WorkflowDocument, id: string, to: string): WorkflowDocument {
  if (id === to || doc.nodes.some((n) => n.id === to)) return doc;
  const rename = (end: string, side: 'from' | 'to') => {
    const ref = parseEnd(end, side);
    return ref.node === id ? formatEnd({ ...ref, node: to }, side) : end;
  };
  const next: WorkflowDocument = {
    ...doc,
    nodes: doc.nodes.map((n) => (n.id === id ? { ...n, id: to } : n)),
    edges: doc.edges.map((e) => ({ from: rename(e.from, 'from'), to: rename(e.to, 'to') })),
  };
  if (doc.pinned && id in doc.pinned) {
    const pinned: JsonObject = {};
    for (const [key, value] of Object.entries(doc.pinned)) pinned[key === id ? to : key] = value;
    next.pinned = pinned;
  }
  return next;
}

export function setPinned(doc: WorkflowDocument, id: string, value: Json | undefined): WorkflowDocument {
  const pinned: JsonObject = { ...(doc.pinned ?? {}) };
  if (value === undefined) delete pinned[id];
  else pinned[id] = value;
  const next: WorkflowDocument = { ...doc, pinned };
  if (Object.keys(pinned).length === 0) delete next.pinned;
  return next;
}

/** The part of a document that holds the given nodes and the edges between them (what copy puts on the clipboard). */
export function fragmentOf(doc: WorkflowDocument, ids: readonly string[]): WorkflowDocument {
  const keep = new Set(ids);
  return {
    schema: doc.schema,
    name: doc.name,
    nodes: doc.nodes.filter((n) => keep.has(n.id)),
    edges: doc.edges.filter((e) => keep.has(parseEnd(e.from, 'from').node) && keep.has(parseEnd(e.to, 'to').node)),
  };
}

/** Adds a fragment's nodes (renamed where ids are taken, moved by offset) and its edges; answers the new ids too. */
export function paste(doc: WorkflowDocument, fragment: Pick<WorkflowDocument, 'nodes' | 'edges'>, offset: Position): { doc: WorkflowDocument; ids: string[] } {
  let next = doc;
  const names = new Map<string, string>();
  for (const node of fragment.nodes) {
    const taken = next.nodes.some((n) => n.id === node.id);
    const id = taken ? newNodeId(next, node.id) : node.id;
    names.set(node.id, id);
    const position = node.position ?? { x: 0, y: 0 };
    next = addNode(next, { ...node, id, position: { x: position.x + offset.x, y: position.y + offset.y } });
  }
  const edges: WorkflowEdge[] = [];
  for (const edge of fragment.edges) {
    const from = parseEnd(edge.from, 'from');
    const to = parseEnd(edge.to, 'to');
    const a = names.get(from.node);
    const b = names.get(to.node);
    if (a && b) edges.push({ from: formatEnd({ node: a, port: from.port }, 'from'), to: formatEnd({ node: b, port: to.port }, 'to') });
  }
  return { doc: edges.length ? { ...next, edges: [...next.edges, ...edges] } : next, ids: [...names.values()] };
}

/** Reads a pasted or imported text: a whole workflow document, or a list of nodes. Null when it is neither. */
export function readFragment(text: string): Pick<WorkflowDocument, 'nodes' | 'edges'> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const isNode = (n: unknown): n is WorkflowNode =>
    !!n && typeof n === 'object' && typeof (n as WorkflowNode).id === 'string' && typeof (n as WorkflowNode).type === 'string';
  if (Array.isArray(value) && value.every(isNode)) return { nodes: value, edges: [] };
  if (value && typeof value === 'object' && Array.isArray((value as WorkflowDocument).nodes)) {
    const doc = value as WorkflowDocument;
    if (!doc.nodes.every(isNode)) return null;
    const edges = Array.isArray(doc.edges)
      ? doc.edges.filter((e): e is WorkflowEdge => !!e && typeof e.from === 'string' && typeof e.to === 'string')
      : [];
    return { nodes: doc.nodes, edges };
  }
  return null;
}

export const layoutGap = { x: 280, y: 130 };

/** Layered left-to-right layout: a node's column is its longest path from a source; rows keep the current vertical order. */
export function autoLayout(doc: WorkflowDocument): WorkflowDocument {
  const column = new Map<string, number>(doc.nodes.map((n) => [n.id, 0]));
  const targets = doc.edges.map((e) => [parseEnd(e.from, 'from').node, parseEnd(e.to, 'to').node] as const);
  // Longest path by relaxation; a document with a cycle (saved invalid) stops after n rounds instead of looping.
  for (let round = 0; round < doc.nodes.length; round++) {
    let moved = false;
    for (const [a, b] of targets) {
      const next = (column.get(a) ?? 0) + 1;
      if (column.has(b) && next > (column.get(b) ?? 0)) {
        column.set(b, next);
        moved = true;
      }
    }
    if (!moved) break;
  }
  const byColumn = new Map<number, WorkflowNode[]>();
  for (const node of doc.nodes) {
    const c = column.get(node.id) ?? 0;
    byColumn.set(c, [...(byColumn.get(c) ?? []), node]);
  }
  const positions: Record<string, Position> = {};
  for (const [c, nodes] of byColumn) {
    const sorted = [...nodes].sort((a, b) => (a.position?.y ?? 0) - (b.position?.y ?? 0));
    sorted.forEach((node, row) => {
      positions[node.id] = { x: c * layoutGap.x, y: (row - (sorted.length - 1) / 2) * layoutGap.y };
    });
  }
  return moveNodes(doc, positions);
}

/** The nodes that run before a node: every node with a path of edges to it. Expressions may read only these. */
export function upstreamOf(doc: WorkflowDocument, id: string): Set<string> {
  const sources = new Map<string, string[]>();
  for (const e of doc.edges) {
    const to = parseEnd(e.to, 'to').node;
    sources.set(to, [...(sources.get(to) ?? []), parseEnd(e.from, 'from').node]);
  }
  const seen = new Set<string>();
  const stack = [...(sources.get(id) ?? [])];
  while (stack.length) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(sources.get(next) ?? []));
  }
  seen.delete(id);
  return seen;
}
