import { describe, expect, it } from 'vitest';
import type { Execution } from '../api/types';
import { applyEvent, fromJoin, type LiveEvent } from './live';

const id = '0190f2b4-0000-7000-8000-000000000001';
const start: Execution = {
  id, status: 'running', result: null, error: null, workflowId: 'w', projectId: 'p', version: null, stage: 'dev',
  trigger: null, correlationId: null, startedAt: '2026-11-24T09:00:00Z', endedAt: null, nodes: [],
};
const at = '2026-11-24T09:00:01Z';
const event = (e: Partial<LiveEvent>): LiveEvent => ({ type: 'node.started', executionId: id.replaceAll('-', ''), at, ...e });

describe('live events folded into the execution', () => {
  it('shows a node running, then finished with its preview and duration', () => {
    const running = applyEvent(start, event({ nodeId: 'sum', sequence: 2 }));
    expect(running.nodes?.[0]).toMatchObject({ nodeId: 'sum', sequence: 2, status: 'running' });

    const done = applyEvent(running, event({ type: 'node.finished', nodeId: 'sum', sequence: 2, status: 'succeeded', preview: { sum: 55 }, durationMs: 0.4 }));
    expect(done.nodes).toHaveLength(1);
    expect(done.nodes?.[0]).toMatchObject({ status: 'succeeded', output: { sum: 55 }, durationMs: 0.4 });
    expect(running.nodes?.[0]?.status).toBe('running'); // never changed in place
  });

  it('marks skipped nodes, failed nodes with their error, and the run with its final status', () => {
    let state = applyEvent(start, event({ type: 'node.skipped', nodeId: 'else', sequence: 3 }));
    state = applyEvent(state, event({ type: 'node.finished', nodeId: 'boom', sequence: 4, status: 'failed', error: 'no' }));
    state = applyEvent(state, event({ type: 'run.finished', status: 'failed' }));
    expect(state.nodes?.map((n) => [n.nodeId, n.status])).toEqual([['else', 'skipped'], ['boom', 'failed']]);
    expect(state.nodes?.[1]?.error?.message).toBe('no');
    expect(state.status).toBe('failed');
  });

  it('ignores events of other executions', () => {
    expect(applyEvent(start, { ...event({ nodeId: 'x', sequence: 1 }), executionId: 'other' })).toBe(start);
  });

  it('a join brings the stored state and replays the events it carries, once each', () => {
    const stored: Execution = { ...start, nodes: [] };
    const joined = fromJoin(start, { executionId: id, execution: stored, events: [event({ nodeId: 'a', sequence: 1 }), event({ type: 'node.finished', nodeId: 'a', sequence: 1, status: 'succeeded' })] });
    expect(joined.nodes?.map((n) => [n.nodeId, n.status])).toEqual([['a', 'succeeded']]);
  });
});
