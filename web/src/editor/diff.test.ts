import fc from 'fast-check';
import { describe as suite, expect, it } from 'vitest';
import type { WorkflowDocument } from '../api/types';
import { describe, diffDocuments } from './diff';

const v1: WorkflowDocument = {
  schema: 'plexus/workflow@1', name: 'greet',
  nodes: [
    { id: 'hook', type: 'http.trigger', settings: { method: 'POST', path: '/hook/{id}' }, position: { x: 0, y: 0 } },
    { id: 'sum', type: 'code.js', settings: { source: 'return 1' } },
    { id: 'old', type: 'data.set', settings: { value: 1 } },
  ],
  edges: [{ from: 'hook', to: 'sum' }, { from: 'sum', to: 'old' }],
};

suite('version diff', () => {
  it('names added and removed nodes and edges, and changed settings and fields, but not moves', () => {
    const draft: WorkflowDocument = {
      ...v1,
      nodes: [
        { id: 'hook', type: 'http.trigger', settings: { path: '/hook/{id}', method: 'PUT' }, position: { x: 300, y: 9 } },
        { id: 'sum', type: 'code.js', settings: { source: 'return 1' }, label: 'Sum' },
        { id: 'reply', type: 'http.response' },
      ],
      edges: [{ from: 'hook', to: 'sum' }, { from: 'sum', to: 'reply' }],
    };
    expect(diffDocuments(v1, draft).map(describe)).toEqual([
      '~ hook.method: "POST" → "PUT"',
      '~ sum label: (none) → "Sum"',
      '+ node reply (http.response)',
      '− node old (data.set)',
      '+ edge sum.out->reply.in',
      '− edge sum.out->old.in',
    ]);
  });

  it('finds nothing between a document and itself, whatever its key order', () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.jsonValue()), (settings) => {
      const a: WorkflowDocument = { ...v1, nodes: [{ id: 'n', type: 'data.set', settings: settings as never }] };
      const reversed = Object.fromEntries(Object.entries(settings).reverse());
      const b: WorkflowDocument = { ...v1, nodes: [{ id: 'n', type: 'data.set', settings: JSON.parse(JSON.stringify(reversed)) as never }] };
      expect(diffDocuments(a, b)).toEqual([]);
    }));
  });
});
