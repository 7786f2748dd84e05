import { describe, expect, it } from 'vitest';
import type { Execution } from '../api/types';
import { applyEvent, fromJoin, fromStored, type LiveEvent } from './live';
import { retryDelay } from './runs';

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

  it('a rejoin after a drop brings the events sent while the connection was down, and a running record takes nothing back', () => {
    // Shown before the drop: first finished, pause started.
    let shown = applyEvent(start, event({ nodeId: 'first', sequence: 1 }));
    shown = applyEvent(shown, event({ type: 'node.finished', nodeId: 'first', sequence: 1, status: 'succeeded', preview: 'one' }));
    shown = applyEvent(shown, event({ nodeId: 'pause', sequence: 2 }));
    // The run's record while it runs has no node runs yet; the join carries every event so far.
    const missed = [
      event({ nodeId: 'first', sequence: 1 }), event({ type: 'node.finished', nodeId: 'first', sequence: 1, status: 'succeeded', preview: 'one' }),
      event({ nodeId: 'pause', sequence: 2 }), event({ type: 'node.finished', nodeId: 'pause', sequence: 2, status: 'succeeded' }),
      event({ nodeId: 'second', sequence: 3 }), event({ type: 'node.finished', nodeId: 'second', sequence: 3, status: 'succeeded', preview: 'two' }),
    ];
    const caughtUp = fromJoin(shown, { executionId: id, execution: { ...start, nodes: [] }, events: missed });
    expect(caughtUp.nodes?.map((n) => [n.nodeId, n.status])).toEqual([['first', 'succeeded'], ['pause', 'succeeded'], ['second', 'succeeded']]);
    expect(caughtUp.nodes?.[2]?.output).toBe('two');
    expect(caughtUp.status).toBe('running');
    // Polling without the hub: the running record keeps what events showed; a finished one with all runs replaces it.
    expect(fromStored(caughtUp, { ...start, nodes: [] }).nodes).toHaveLength(3);
    const finished = { ...start, status: 'succeeded' as const, nodes: caughtUp.nodes };
    expect(fromStored(caughtUp, finished)).toBe(finished);
  });

  it('reconnects at once, then every 1-3 s, and gives the hub up after two minutes', () => {
    expect([0, 1, 2, 3, 9].map((n) => retryDelay({ previousRetryCount: n, elapsedMilliseconds: 5_000 }))).toEqual([0, 1000, 2000, 3000, 3000]);
    expect(retryDelay({ previousRetryCount: 40, elapsedMilliseconds: 121_000 })).toBeNull();
  });
});
