import { expect, it } from 'vitest';
import type { WorkflowDocument } from '../api/types';
import { placeProblems } from './problems';

const doc: WorkflowDocument = {
  schema: 'plexus/workflow@1', name: 'w',
  nodes: [{ id: 'hook', type: 'http.trigger' }, { id: 'reply', type: 'http.response' }],
  edges: [],
};

it('puts settings problems on their node and field, node problems on the node, and the rest in general', () => {
  const placed = placeProblems(doc, [
    { path: 'nodes[1].settings.status', message: 'must be 100..599' },
    { path: 'nodes[0]', message: 'is not connected' },
    { path: 'edges[0].to', message: "names node 'ghost', which does not exist" },
    { path: 'nodes[7].type', message: 'unknown' },
  ]);
  expect(placed.byNode.get('reply')).toEqual({ all: ['status: must be 100..599'], fields: { status: ['must be 100..599'] } });
  expect(placed.byNode.get('hook')).toEqual({ all: ['is not connected'], fields: {} });
  expect(placed.general).toEqual(["edges[0].to: names node 'ghost', which does not exist", 'nodes[7].type: unknown']);
});
