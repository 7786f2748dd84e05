import { describe, expect, it } from 'vitest';
import type { Execution, NodeRun } from '../api/types';
import { carriedOutputs, lastRunByNode, withReused } from './runs';

const run = (nodeId: string, output: NodeRun['output'], extra: Partial<NodeRun> = {}): NodeRun => ({
  sequence: 0, nodeId, type: 't', status: 'succeeded', attempts: 1, input: null, inputTruncated: false, output, outputTruncated: false,
  error: null, port: null, scope: null, pinned: false, waiting: false, logs: null, startedAt: null, endedAt: null, durationMs: 1, ...extra,
});
const execution = (id: string, nodes: NodeRun[]): Execution => ({
  id, status: 'succeeded', result: null, error: null, workflowId: 'w', projectId: 'p', version: 1, stage: 'prod', trigger: null,
  correlationId: null, startedAt: '2026-11-24T09:00:00Z', endedAt: '2026-11-24T09:00:01Z', nodes,
});

describe('a run from a node shown with what it reused', () => {
  const first = execution('a', [run('hook', { params: { id: '42' } }), run('sum', { sum: 55 }), run('reply', { status: 200 }),
    run('inner', 1, { scope: 'loop#0' }), run('broken', null, { status: 'failed' })]);
  const second = execution('b', [run('reply', { status: 201 })]);

  it('shows the earlier runs of the nodes it did not run, marked, before its own', () => {
    const shown = withReused(second, first);
    expect(shown.nodes?.map((n) => [n.nodeId, n.reused === true])).toEqual([['hook', true], ['sum', true], ['reply', false]]);
    expect(lastRunByNode(shown).get('reply')?.output).toEqual({ status: 201 });
    expect(withReused(second, null)).toBe(second);
  });

  it('carries the reused outputs upstream of the node to the next run, and only those', () => {
    const shown = withReused(second, first);
    expect(carriedOutputs(shown, new Set(['hook', 'sum']))).toEqual({ hook: { params: { id: '42' } }, sum: { sum: 55 } });
    expect(carriedOutputs(shown, new Set(['hook']))).toEqual({ hook: { params: { id: '42' } } });
    // What the shown execution ran itself the server reads from its record.
    expect(carriedOutputs(shown, new Set(['reply']))).toEqual({});
    // A chain: the third run sees the first run's outputs through the second.
    const third = withReused(execution('c', [run('reply', { status: 202 })]), shown);
    expect(third.nodes?.filter((n) => n.reused).map((n) => n.nodeId)).toEqual(['hook', 'sum']);
  });
});
