import { useState } from 'react';
import { can } from '../api/access';
import { api } from '../api/client';
import type { NodeRun } from '../api/types';
import { Link } from '../router';
import { JsonView } from '../ui/json';
import { ago, duration, PageHead, ProblemBox, StatusBadge, useAction, useLoad } from '../ui/kit';
import type { Scope } from './Shell';

export function ExecutionPage({ scope, executionId }: { scope: Scope; executionId: string }) {
  const project = scope.project!;
  const execution = useLoad(() => api.execution(executionId), [executionId]);
  const workflow = useLoad(() => (execution.data ? api.workflow(execution.data.workflowId) : Promise.resolve(null)), [execution.data?.workflowId]);
  const [open, setOpen] = useState<number | null>(null);
  const action = useAction();
  const x = execution.data;
  return (
    <>
      <div style={{ marginBottom: 8 }}><Link to={`/projects/${project.id}/executions`}>← Executions</Link></div>
      <ProblemBox error={execution.error ?? action.error} />
      {x && (
        <>
          <PageHead title={`${workflow.data?.name ?? 'Execution'} · ${x.version === null ? 'draft' : `v${x.version}`}`} lead={<><StatusBadge status={x.status} /> on <strong>{x.stage}</strong>, started {ago(x.startedAt)}, took {duration(x.startedAt, x.endedAt)}</>}>
            {can(scope.org.role, 'run') && (x.status === 'running' || x.status === 'waiting' || x.status === 'queued') && (
              <button className="btn danger" onClick={() => void action.run(() => api.cancel(x.id)).then(execution.reload)}>Cancel run</button>
            )}
            {workflow.data && <Link className="btn" to={`/projects/${project.id}/workflows/${x.workflowId}?execution=${x.id}`}>Open on canvas</Link>}
          </PageHead>
          {x.error && <div className="problem"><strong>{x.error.node ? `Node '${x.error.node}' failed` : 'The run failed'}</strong>{x.error.message}</div>}
          <div className="card pad" style={{ marginBottom: 18 }}>
            <dl className="kv">
              <dt>Execution</dt><dd><code>{x.id}</code></dd>
              {x.correlationId && <><dt>Correlation</dt><dd><code>{x.correlationId}</code></dd></>}
              <dt>Trigger</dt><dd><JsonView value={x.trigger} /></dd>
              <dt>Result</dt><dd><JsonView value={x.result} /></dd>
            </dl>
          </div>
          <div className="card">
            <table className="data">
              <thead><tr><th>#</th><th>Node</th><th>Status</th><th>Port</th><th>Attempts</th><th>Duration</th></tr></thead>
              <tbody>
                {x.nodes?.map((n, i) => (
                  <NodeRunRow key={`${n.sequence}-${i}`} run={n} open={open === i} onToggle={() => setOpen(open === i ? null : i)} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}

function NodeRunRow({ run, open, onToggle }: { run: NodeRun; open: boolean; onToggle: () => void }) {
  return (
    <>
      <tr className="clickable" onClick={onToggle}>
        <td className="muted">{run.sequence}</td>
        <td><strong>{run.nodeId}</strong> <span className="muted mono">{run.type}</span>{run.pinned && <span className="badge plain brand" style={{ marginLeft: 6 }}>pinned</span>}</td>
        <td><StatusBadge status={run.waiting ? 'waiting' : run.status} /></td>
        <td className="mono">{run.port ?? '—'}</td>
        <td>{run.attempts}</td>
        <td className="muted">{run.durationMs === null ? '—' : `${run.durationMs.toFixed(1)} ms`}</td>
      </tr>
      {open && (
        <tr>
          <td colSpan={6} style={{ background: 'var(--subtle)' }}>
            <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 18 }}>
              <div><h3>Input</h3><JsonView value={run.input} truncated={run.inputTruncated} /></div>
              <div><h3>{run.error ? 'Error' : 'Output'}</h3>{run.error ? <div className="problem">{run.error.message}<div className="muted">{run.error.type}</div></div> : <JsonView value={run.output} truncated={run.outputTruncated} />}</div>
            </div>
            {run.logs && run.logs.length > 0 && <><h3 style={{ marginTop: 12 }}>Console</h3><pre className="raw">{run.logs.join('\n')}</pre></>}
          </td>
        </tr>
      )}
    </>
  );
}
