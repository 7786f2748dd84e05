// Live events of a run (the server's /hubs/executions) folded into the execution the canvas shows.
import type { Execution, ExecutionStatus, Json, NodeRun, NodeRunStatus } from '../api/types';

/** One event as the hub sends it (see docs/live-events.md). */
export interface LiveEvent {
  type: 'run.started' | 'node.started' | 'node.finished' | 'node.skipped' | 'run.finished';
  executionId: string;
  at: string;
  nodeId?: string | null;
  sequence?: number | null;
  status?: string | null;
  preview?: Json;
  error?: string | null;
  durationMs?: number | null;
}

/** What Join answers: the stored execution (null before the first write) and the events so far on that replica. */
export interface Joined {
  executionId: string;
  execution: Execution | null;
  events: LiveEvent[];
}

function blankRun(event: LiveEvent): NodeRun {
  return {
    sequence: event.sequence ?? 0,
    nodeId: event.nodeId ?? '',
    type: '',
    status: 'running',
    attempts: 1,
    input: null,
    inputTruncated: false,
    output: null,
    outputTruncated: false,
    error: null,
    port: null,
    scope: null,
    pinned: false,
    waiting: false,
    logs: null,
    startedAt: event.at,
    endedAt: null,
    durationMs: null,
  };
}

/** The execution after one event: a new object (the canvas compares by reference); unknown events change nothing. */
export function applyEvent(execution: Execution, event: LiveEvent): Execution {
  if (event.executionId.replaceAll('-', '') !== execution.id.replaceAll('-', '')) return execution;
  if (event.type === 'run.started') return { ...execution, status: 'running' };
  if (event.type === 'run.finished') {
    return { ...execution, status: (event.status ?? execution.status) as ExecutionStatus, endedAt: event.at };
  }
  if (!event.nodeId) return execution;
  const nodes = [...(execution.nodes ?? [])];
  const index = nodes.findIndex((n) => n.nodeId === event.nodeId && n.sequence === event.sequence);
  const current = (index >= 0 ? nodes[index] : undefined) ?? blankRun(event);
  let next: NodeRun;
  switch (event.type) {
    case 'node.started':
      next = { ...current, status: 'running', startedAt: event.at };
      break;
    case 'node.finished':
      next = {
        ...current,
        status: (event.status ?? 'succeeded') as NodeRunStatus,
        output: event.preview ?? current.output,
        durationMs: event.durationMs ?? current.durationMs,
        endedAt: event.at,
        waiting: event.status === 'waiting',
        error: event.error ? { message: event.error, type: 'node', node: event.nodeId } : current.error,
      };
      break;
    case 'node.skipped':
      next = { ...current, status: 'skipped', endedAt: event.at };
      break;
    default:
      return execution;
  }
  if (index >= 0) nodes[index] = next;
  else nodes.push(next);
  return { ...execution, nodes };
}

/**
 * What a stored record tells about a run already shown: the record when it knows at least as many node runs (it is
 * written in batches, so a running one often knows none), else what is shown, with the record's status.
 */
export function fromStored(known: Execution, stored: Execution): Execution {
  return (stored.nodes?.length ?? 0) >= (known.nodes?.length ?? 0) ? stored : { ...known, status: stored.status };
}

/** The state a join brings: the stored execution (or what is known of it) with the events so far applied. */
export function fromJoin(known: Execution, joined: Joined): Execution {
  const base = joined.execution ? fromStored(known, joined.execution) : known;
  return joined.events.reduce(applyEvent, base);
}
