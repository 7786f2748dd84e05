// How the editor learns what a run did: the run API's answer (it waits a moment, so quick runs come back whole),
// then live events from /hubs/executions while the run goes on, with the stored record as the final word. When the hub
// cannot be reached, the stored record is polled instead.
import { HubConnectionBuilder, HubConnectionState, type HubConnection, type RetryContext } from '@microsoft/signalr';
import { useSyncExternalStore } from 'react';
import { api } from '../api/client';
import type { Execution, JsonObject, NodeRun, RunAccepted, RunRequest } from '../api/types';
import { applyEvent, fromJoin, fromStored, type Joined, type LiveEvent } from './live';

const ongoing = new Set(['queued', 'running']);
const pollMs = 700;
const livePollMs = 1500;
/** How long the run API may wait before answering 202: runs quicker than this come back whole, at once. */
const waitMs = 1000;

export function isFinished(execution: Execution): boolean {
  return !ongoing.has(execution.status);
}

function isExecution(answer: Execution | RunAccepted): answer is Execution {
  return 'workflowId' in answer;
}

let hub: HubConnection | null = null;
let starting: Promise<void> | null = null;
const listeners = new Set<(event: LiveEvent) => void>();
const rejoins = new Set<() => void>();

/** The hub connection as the run banner shows it: 'unavailable' means runs are polled instead. */
export type LiveState = 'off' | 'connecting' | 'live' | 'reconnecting' | 'unavailable';
let liveState: LiveState = 'off';
const stateListeners = new Set<() => void>();

function setLiveState(next: LiveState): void {
  liveState = next;
  stateListeners.forEach((l) => l());
}

export function useLiveState(): LiveState {
  return useSyncExternalStore(
    (l) => {
      stateListeners.add(l);
      return () => stateListeners.delete(l);
    },
    () => liveState,
  );
}

/**
 * After a drop: at once, then every 1-3 s for two minutes (a run is being watched: a long gap would show it late);
 * after that the hub is given up and runs are polled.
 */
export function retryDelay(context: Pick<RetryContext, 'previousRetryCount' | 'elapsedMilliseconds'>): number | null {
  if (context.elapsedMilliseconds > 120_000) return null;
  return Math.min(1000 * context.previousRetryCount, 3000);
}

/** The shared hub connection, started on first use; null when it cannot be reached (then runs are polled). */
async function liveHub(): Promise<HubConnection | null> {
  if (!hub) {
    hub = new HubConnectionBuilder()
      .withUrl('/hubs/executions', { accessTokenFactory: () => api.accessToken() ?? '' })
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: retryDelay })
      .build();
    hub.on('event', (event: LiveEvent) => listeners.forEach((listener) => listener(event)));
    hub.onreconnecting(() => setLiveState('reconnecting'));
    // After a dropped connection every followed run joins again: the answer brings what was missed.
    hub.onreconnected(() => {
      setLiveState('live');
      rejoins.forEach((rejoin) => rejoin());
    });
    hub.onclose(() => setLiveState('unavailable'));
  }
  try {
    if (hub.state === HubConnectionState.Disconnected) {
      setLiveState('connecting');
      starting ??= hub.start().finally(() => (starting = null));
    }
    if (starting) await starting;
    const connected = hub.state === HubConnectionState.Connected;
    if (connected) setLiveState('live');
    return connected ? hub : null;
  } catch {
    setLiveState('unavailable');
    return null;
  }
}

/** Follows an execution until it ends or waits, calling onUpdate with each state; stop() ends following early. */
export function follow(executionId: string, onUpdate: (execution: Execution) => void): { done: Promise<Execution>; stop: () => void } {
  let stopped = false;
  let state: Execution | null = null;
  const update = (next: Execution) => {
    state = next;
    onUpdate(next);
  };
  const done = (async () => {
    const first = await api.execution(executionId);
    update(first);
    if (isFinished(first)) return first;

    const connection = await liveHub();
    const onEvent = (event: LiveEvent) => {
      if (state && !stopped) update(applyEvent(state, event));
    };
    const join = async () => {
      try {
        const joined = await connection!.invoke<Joined>('Join', executionId);
        if (state && !stopped) update(fromJoin(state, joined));
      } catch {
        // Not joined: the stored record below still tells the end.
      }
    };
    if (connection) {
      listeners.add(onEvent);
      rejoins.add(join);
      await join();
    }
    try {
      // The stored record is the final word; while events arrive it is read only to learn the end.
      for (let failures = 0; ; ) {
        await new Promise((resolve) => setTimeout(resolve, connection ? livePollMs : pollMs));
        let stored: Execution;
        try {
          stored = await api.execution(executionId);
          failures = 0;
        } catch (error) {
          // A dropped network is waited out (about a minute) rather than ending the follow with an error.
          if (++failures > 40) throw error;
          continue;
        }
        if (stopped || isFinished(stored)) {
          update(stored);
          return stored;
        }
        // Without the hub the record is all there is; it never takes back node runs events already showed.
        if (!connection || hub?.state !== HubConnectionState.Connected) update(state ? fromStored(state, stored) : stored);
      }
    } finally {
      listeners.delete(onEvent);
      rejoins.delete(join);
      if (connection?.state === HubConnectionState.Connected) connection.invoke('Leave', executionId).catch(() => undefined);
    }
  })();
  return { done, stop: () => (stopped = true) };
}

/** Starts a run and reports its states until it ends (or waits for a resume). */
export async function startRun(workflowId: string, request: RunRequest, onUpdate: (execution: Execution) => void): Promise<Execution> {
  const answer = await api.run(workflowId, request, waitMs);
  if (isExecution(answer) && isFinished(answer)) {
    onUpdate(answer);
    return answer;
  }
  return follow(answer.id, onUpdate).done;
}

/** The last activation of each node: what the canvas shows on it. */
export function lastRunByNode(execution: Execution | null): Map<string, NodeRun> {
  const runs = new Map<string, NodeRun>();
  for (const run of execution?.nodes ?? []) runs.set(run.nodeId, run);
  return runs;
}

/**
 * The execution as the canvas shows it after a run from a node: its own node runs, and before them the runs of the
 * earlier execution(s) it reused outputs of, for the nodes it did not run again (marked `reused`).
 */
export function withReused(execution: Execution, earlier: Execution | null): Execution {
  if (!earlier) return execution;
  const ran = new Set((execution.nodes ?? []).map((n) => n.nodeId));
  const reused = (earlier.nodes ?? [])
    .filter((n) => !ran.has(n.nodeId) && n.status === 'succeeded' && n.scope === null)
    .map((n) => ({ ...n, reused: true }));
  return reused.length === 0 ? execution : { ...execution, nodes: [...reused, ...(execution.nodes ?? [])] };
}

/**
 * Outputs a run from a node needs that the shown execution did not record itself (it reused them): the server
 * reads upstream outputs from the one execution it is given, so these go along as known values (`pinned`).
 */
export function carriedOutputs(shown: Execution | null, upstream: ReadonlySet<string>): JsonObject {
  const carried: JsonObject = {};
  for (const n of shown?.nodes ?? []) {
    if (n.reused && upstream.has(n.nodeId) && n.status === 'succeeded' && !n.outputTruncated && n.scope === null) carried[n.nodeId] = n.output;
  }
  return carried;
}
