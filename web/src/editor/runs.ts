// How the editor learns what a run did. Today: the run API's answer (wait=true), then polling the execution record
// while it is still going. Live events over /hubs/executions can replace `follow` without the callers changing.
import { api } from '../api/client';
import type { Execution, NodeRun, RunAccepted, RunRequest } from '../api/types';

const ongoing = new Set(['queued', 'running']);
const pollMs = 700;

export function isFinished(execution: Execution): boolean {
  return !ongoing.has(execution.status);
}

function isExecution(answer: Execution | RunAccepted): answer is Execution {
  return 'workflowId' in answer;
}

/** Follows an execution until it ends or waits, calling onUpdate with each state read; stop() ends following early. */
export function follow(executionId: string, onUpdate: (execution: Execution) => void): { done: Promise<Execution>; stop: () => void } {
  let stopped = false;
  const done = (async () => {
    for (;;) {
      const execution = await api.execution(executionId);
      onUpdate(execution);
      if (stopped || isFinished(execution)) return execution;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  })();
  return { done, stop: () => (stopped = true) };
}

/** Starts a run and reports its states until it ends (or waits for a resume). */
export async function startRun(workflowId: string, request: RunRequest, onUpdate: (execution: Execution) => void): Promise<Execution> {
  const answer = await api.run(workflowId, request);
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
