import { describe, expect, it } from 'vitest';
import type { WorkflowDocument } from '../api/types';
import { checkConnection } from './connect';
import { addEdge, autoLayout, catalogOf, outputsOf, paste, readFragment, renameNode, fragmentOf } from './graph';
import { testCatalog } from './testCatalog';

const catalog = catalogOf(testCatalog);
const doc: WorkflowDocument = {
  schema: 'plexus/workflow@1', name: 'greet',
  nodes: [
    { id: 'hook', type: 'http.trigger', settings: { method: 'POST', path: '/hook/{id}' }, position: { x: 0, y: 0 } },
    { id: 'check', type: 'flow.if', settings: { condition: true }, position: { x: 100, y: 0 } },
    { id: 'sum', type: 'code.js', settings: { source: 'return 1' }, position: { x: 200, y: 0 } },
    { id: 'reply', type: 'http.response', position: { x: 300, y: 0 } },
  ],
  edges: [{ from: 'hook', to: 'check' }, { from: 'check.true', to: 'sum' }],
};
const p = (node: string, port: string) => ({ node, port });

describe('connection rules', () => {
  it('accepts a new edge between existing ports', () => {
    expect(checkConnection(doc, catalog, p('sum', 'out'), p('reply', 'in'))).toEqual({ ok: true });
    expect(checkConnection(doc, catalog, p('sum', 'error'), p('reply', 'in'))).toEqual({ ok: true });
  });
  it('refuses each kind of invalid edge with a reason', () => {
    const reason = (from: [string, string], to: [string, string]) => {
      const v = checkConnection(doc, catalog, p(...from), p(...to));
      return v.ok ? null : v.reason;
    };
    expect(reason(['sum', 'out'], ['sum', 'in'])).toMatch(/itself/);
    expect(reason(['sum', 'out'], ['hook', 'in'])).toMatch(/trigger/);
    expect(reason(['check', 'maybe'], ['reply', 'in'])).toMatch(/no output 'maybe'/);
    expect(reason(['check', 'true'], ['sum', 'in'])).toMatch(/already connected/);
    expect(reason(['sum', 'out'], ['check', 'in'])).toMatch(/cycle/);
    expect(reason(['ghost', 'out'], ['sum', 'in'])).toMatch(/no longer exists/);
    expect(reason(['hook', 'error'], ['reply', 'in'])).toMatch(/no output 'error'/);
  });
  it('gives a switch its case ports', () => {
    const node = { id: 's', type: 'flow.switch', settings: { value: 1, cases: [{ port: 'one', equals: 1 }] } };
    expect(outputsOf(node, catalog)).toEqual(['one', 'default', 'error']);
  });
});

describe('document operations', () => {
  it('writes default ports bare and others after a dot', () => {
    const next = addEdge(doc, p('sum', 'out'), p('reply', 'in'));
    expect(next.edges.at(-1)).toEqual({ from: 'sum', to: 'reply' });
    expect(addEdge(doc, p('check', 'false'), p('reply', 'in')).edges.at(-1)).toEqual({ from: 'check.false', to: 'reply' });
  });
  it('renames a node everywhere', () => {
    const next = renameNode(doc, 'check', 'gate');
    expect(next.edges).toEqual([{ from: 'hook', to: 'gate' }, { from: 'gate.true', to: 'sum' }]);
  });
  it('pastes a copy with fresh ids and its inner edges', () => {
    const { doc: next, ids } = paste(doc, fragmentOf(doc, ['check', 'sum']), { x: 10, y: 10 });
    expect(ids).toEqual(['check2', 'sum2']);
    expect(next.edges.at(-1)).toEqual({ from: 'check2.true', to: 'sum2' });
  });
  it('reads a workflow file or a node list as a fragment, and nothing else', () => {
    expect(readFragment(JSON.stringify(doc))?.nodes.length).toBe(4);
    expect(readFragment('[{"id":"a","type":"code.js"}]')?.nodes.length).toBe(1);
    expect(readFragment('hello')).toBeNull();
    expect(readFragment('{"nodes":[1]}')).toBeNull();
  });
  it('lays out by longest path from the trigger', () => {
    const laid = autoLayout(doc);
    const x = Object.fromEntries(laid.nodes.map((n) => [n.id, n.position!.x]));
    expect(x.hook).toBeLessThan(x.check!);
    expect(x.check).toBeLessThan(x.sum!);
  });
});
