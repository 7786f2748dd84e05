import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WorkflowDocument } from '../api/types';
import { addEdge, addNode, autoLayout, catalogOf, fragmentOf, moveNodes, paste, removeEdges, removeNodes, edgeKey, renameNode, updateNode } from './graph';
import { beginGesture, canRedo, canUndo, commit, endGesture, type History, redo, start, undo } from './history';
import { checkConnection } from './connect';
import { testCatalog } from './testCatalog';

const empty: WorkflowDocument = { schema: 'plexus/workflow@1', name: 't', nodes: [], edges: [] };
const catalog = catalogOf(testCatalog);

/** One random edit, as the canvas would make it: add, delete, move (as a drag gesture), connect, settings, paste, layout, rename. */
const edit = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), type: fc.constantFrom('code.js', 'flow.if', 'http.response', 'data.set'), x: fc.integer({ min: -500, max: 500 }) }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('move' as const), pick: fc.nat(), steps: fc.array(fc.integer({ min: -40, max: 40 }), { minLength: 1, maxLength: 5 }) }),
  fc.record({ kind: fc.constant('connect' as const), a: fc.nat(), b: fc.nat(), port: fc.constantFrom('out', 'true', 'false', 'error') }),
  fc.record({ kind: fc.constant('disconnect' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('settings' as const), pick: fc.nat(), text: fc.string({ maxLength: 8 }) }),
  fc.record({ kind: fc.constant('paste' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('layout' as const) }),
  fc.record({ kind: fc.constant('rename' as const), pick: fc.nat(), to: fc.constantFrom('alpha', 'beta', 'gamma') }),
  fc.record({ kind: fc.constant('label' as const), pick: fc.nat(), text: fc.constantFrom('', 'A label', 'Other') }),
);
type Edit = typeof edit extends fc.Arbitrary<infer E> ? E : never;

function at<T>(list: readonly T[], index: number): T | undefined {
  return list.length ? list[index % list.length] : undefined;
}

/** Applies an edit to the history the way the editor does; answers the history and whether it made an entry. */
function apply(h: History<WorkflowDocument>, e: Edit): History<WorkflowDocument> {
  const doc = h.present;
  switch (e.kind) {
    case 'add': {
      const id = `n${doc.nodes.length}_${Math.abs(e.x)}`;
      if (doc.nodes.some((n) => n.id === id)) return h;
      return commit(h, addNode(doc, { id, type: e.type, position: { x: e.x, y: 0 } }));
    }
    case 'delete': {
      const node = at(doc.nodes, e.pick);
      return node ? commit(h, removeNodes(doc, [node.id])) : h;
    }
    case 'move': {
      const node = at(doc.nodes, e.pick);
      if (!node) return h;
      let g = beginGesture(h);
      let p = node.position ?? { x: 0, y: 0 };
      for (const dx of e.steps) {
        p = { x: p.x + dx, y: p.y };
        g = commit(g, moveNodes(g.present, { [node.id]: p }));
      }
      return endGesture(g);
    }
    case 'connect': {
      const a = at(doc.nodes, e.a);
      const b = at(doc.nodes, e.b);
      if (!a || !b) return h;
      const from = { node: a.id, port: e.port };
      const to = { node: b.id, port: 'in' };
      return checkConnection(doc, catalog, from, to).ok ? commit(h, addEdge(doc, from, to)) : h;
    }
    case 'disconnect': {
      const edge = at(doc.edges, e.pick);
      return edge ? commit(h, removeEdges(doc, [edgeKey(edge)])) : h;
    }
    case 'settings': {
      const node = at(doc.nodes, e.pick);
      return node ? commit(h, updateNode(doc, node.id, { settings: { source: e.text } })) : h;
    }
    case 'paste': {
      const node = at(doc.nodes, e.pick);
      return node ? commit(h, paste(doc, fragmentOf(doc, [node.id]), { x: 30, y: 30 }).doc) : h;
    }
    case 'layout':
      return commit(h, autoLayout(doc));
    case 'rename': {
      const node = at(doc.nodes, e.pick);
      return node ? commit(h, renameNode(doc, node.id, e.to)) : h;
    }
    case 'label': {
      const node = at(doc.nodes, e.pick);
      return node ? commit(h, updateNode(doc, node.id, { label: e.text })) : h;
    }
  }
}

describe('undo/redo over random edit sequences', () => {
  it('undo walks back through every distinct state and redo walks forward again', () => {
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 40 }), (edits) => {
        let h = start(empty);
        const states: WorkflowDocument[] = [empty];
        for (const e of edits) {
          const before = h.past.length;
          h = apply(h, e);
          expect(h.gestureBase).toBeNull();
          if (h.past.length > before) states.push(h.present);
          else expect(h.present).toBe(states[states.length - 1]);
        }
        expect(h.past.length).toBe(states.length - 1);
        for (let i = states.length - 1; i > 0; i--) {
          expect(h.present).toEqual(states[i]);
          expect(canUndo(h)).toBe(true);
          h = undo(h);
        }
        expect(h.present).toEqual(empty);
        expect(canUndo(h)).toBe(false);
        for (let i = 1; i < states.length; i++) {
          h = redo(h);
          expect(h.present).toEqual(states[i]);
        }
        expect(canRedo(h)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('a new edit after undo drops the redo branch, and undo then returns to the state it was made on', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 25 }), fc.nat({ max: 25 }), fc.array(edit, { minLength: 1, maxLength: 5 }), (first, back, second) => {
        let h = start(empty);
        for (const e of first) h = apply(h, e);
        for (let i = 0; i < back; i++) h = undo(h);
        const branchPoint = h.present;
        const depth = h.past.length;
        for (const e of second) h = apply(h, e);
        if (h.past.length > depth) expect(canRedo(h)).toBe(false);
        while (h.past.length > depth) h = undo(h);
        expect(h.present).toEqual(branchPoint);
      }),
      { numRuns: 200 },
    );
  });

  it('every state reached is a document whose edges name existing nodes', () => {
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 40 }), (edits) => {
        let h = start(empty);
        for (const e of edits) {
          h = apply(h, e);
          const ids = new Set(h.present.nodes.map((n) => n.id));
          expect(ids.size).toBe(h.present.nodes.length);
          for (const edge of h.present.edges) {
            expect(ids.has(edge.from.split('.')[0]!)).toBe(true);
            expect(ids.has(edge.to.split('.')[0]!)).toBe(true);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a drag is one entry however many steps it had', () => {
    let h = start(addNode(empty, { id: 'a', type: 'code.js', position: { x: 0, y: 0 } }));
    h = beginGesture(h);
    for (let x = 1; x <= 20; x++) h = commit(h, moveNodes(h.present, { a: { x, y: 0 } }));
    h = endGesture(h);
    expect(h.past.length).toBe(1);
    expect(undo(h).present.nodes[0]!.position).toEqual({ x: 0, y: 0 });
  });
});
