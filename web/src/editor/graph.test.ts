import { describe, expect, it } from 'vitest';
import type { WorkflowDocument } from '../api/types';
import { autoLayout, layoutGap, moveNodes, removeNodes } from './graph';
import { redo, start, commit, undo } from './history';

// The shape the browser spec uses: a chain hook → a → b → reply, and a side branch hook → c → reply.
const scattered: WorkflowDocument = {
  schema: 'plexus/workflow@1', name: 'shapes',
  nodes: [
    { id: 'hook', type: 'trigger.manual', position: { x: 0, y: 0 } },
    { id: 'a', type: 'data.set', position: { x: 300, y: 0 } },
    { id: 'b', type: 'data.set', position: { x: 600, y: 0 } },
    { id: 'c', type: 'data.set', position: { x: 300, y: 300 } },
    { id: 'reply', type: 'data.set', position: { x: 600, y: 300 } },
  ],
  edges: [{ from: 'hook', to: 'a' }, { from: 'a', to: 'b' }, { from: 'b', to: 'reply' }, { from: 'hook', to: 'c' }, { from: 'c', to: 'reply' }],
};
const positions = (doc: WorkflowDocument) => Object.fromEntries(doc.nodes.map((n) => [n.id, n.position]));

describe('several nodes at once', () => {
  it('auto-layout puts each node in the column of its longest path, rows centred and in their old vertical order', () => {
    expect(positions(autoLayout(scattered))).toEqual({
      hook: { x: 0, y: 0 },
      a: { x: layoutGap.x, y: -layoutGap.y / 2 },
      c: { x: layoutGap.x, y: layoutGap.y / 2 },
      b: { x: 2 * layoutGap.x, y: 0 },
      reply: { x: 3 * layoutGap.x, y: 0 },
    });
    // Laid out again, nothing moves: the same document comes back.
    const laid = autoLayout(scattered);
    expect(autoLayout(laid)).toBe(laid);
  });

  it('a move of a selection and a delete of one are one undo step each', () => {
    let h = start(scattered);
    h = commit(h, moveNodes(h.present, { a: { x: 420, y: 80 }, b: { x: 720, y: 80 } }));
    h = commit(h, removeNodes(h.present, ['c', 'reply']));
    expect(h.present.nodes.map((n) => n.id)).toEqual(['hook', 'a', 'b']);
    expect(h.present.edges).toEqual([{ from: 'hook', to: 'a' }, { from: 'a', to: 'b' }]);
    h = undo(h);
    expect(h.present.nodes).toHaveLength(5);
    expect(h.present.edges).toHaveLength(5);
    h = undo(h);
    expect(h.present).toBe(scattered);
    h = redo(h);
    expect(positions(h.present).a).toEqual({ x: 420, y: 80 });
    expect(positions(h.present).b).toEqual({ x: 720, y: 80 });
  });
});
