import { type FormEvent, useState } from 'react';
import { can } from '../api/access';
import { api } from '../api/client';
import type { ExecutionStatus, SavePolicy, Workflow, WorkflowDocument } from '../api/types';
import { Link, navigate } from '../router';
import { Icon } from '../ui/icons';
import { ago, CopyText, duration, Empty, Modal, PageHead, ProblemBox, StatusBadge, toast, useAction, useLoad } from '../ui/kit';
import type { Scope } from './Shell';

type ProjectScope = Scope & { project: NonNullable<Scope['project']> };

export function WorkflowsPage({ scope }: { scope: ProjectScope }) {
  const { project } = scope;
  const mayEdit = can(scope.org.role, 'edit');
  const workflows = useLoad(() => api.workflows(project.id), [project.id]);
  const matrix = useLoad(() => api.publications(project.id), [project.id]);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Workflow | null>(null);
  const removal = useAction();
  const stagesOf = (w: Workflow) => Object.entries(matrix.data?.workflows.find((m) => m.id === w.id)?.stages ?? {}).filter(([, v]) => v !== null);
  return (
    <>
      <PageHead title="Workflows" lead={<>Graphs of nodes that answer routes, run on schedules or are called by other workflows.</>}>
        {mayEdit && workflows.data && workflows.data.items.length > 0 && <button className="btn primary" onClick={() => setCreating(true)}><Icon name="plus" /> New workflow</button>}
      </PageHead>
      <ProblemBox error={workflows.error} />
      {workflows.data && workflows.data.items.length === 0 ? (
        <div className="card">
          {mayEdit ? (
            <Empty icon="flow" title="Build your first workflow"
              action={<button className="btn primary" onClick={() => setCreating(true)}><Icon name="plus" /> New workflow</button>}>
              Start from an empty canvas: add an HTTP trigger, a few nodes and a response, run it with test data, then publish it to prod.
            </Empty>
          ) : (
            <Empty icon="flow" title="No workflows yet">The editors of this project have not made any. Your role ({scope.org.role ?? 'none'}) can read them once they do.</Empty>
          )}
        </div>
      ) : (
        <div className="card">
          <table className="data">
            <thead><tr><th>Name</th><th>Kind</th><th>Draft</th><th>Published</th><th>Updated</th><th /></tr></thead>
            <tbody>
              {workflows.data?.items.map((w) => (
                <tr key={w.id} className="clickable" onClick={() => navigate(`/projects/${project.id}/workflows/${w.id}`)}>
                  <td><Link to={`/projects/${project.id}/workflows/${w.id}`}><strong>{w.name}</strong></Link></td>
                  <td><span className="badge plain">{w.kind}</span></td>
                  <td>{w.draftValid ? <span className="badge ok">valid</span> : <span className="badge bad">has problems</span>} <span className="muted">rev {w.draftRevision}</span></td>
                  <td><div className="row wrap" style={{ gap: 4 }}>{stagesOf(w).length === 0 ? <span className="muted">not published</span> : stagesOf(w).map(([s, v]) => <span key={s} className="badge brand">{s} · v{v}</span>)}</div></td>
                  <td className="muted">{ago(w.updatedAt)}</td>
                  <td className="actions">
                    {mayEdit && <button className="btn small ghost danger" aria-label={`Delete ${w.name}`} onClick={(e) => { e.stopPropagation(); setDeleting(w); }}><Icon name="trash" size={14} /></button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {creating && <NewWorkflow projectId={project.id} onClose={() => setCreating(false)} />}
      {deleting && (
        <Modal title={`Delete ${deleting.name}?`} onClose={() => setDeleting(null)}>
          <ProblemBox error={removal.error} />
          <p>This deletes the workflow with its versions, publications and executions. Its routes stop answering at once.</p>
          <div className="buttons">
            <button className="btn" onClick={() => setDeleting(null)}>Keep it</button>
            <button className="btn primary" style={{ background: 'var(--bad)', borderColor: 'var(--bad)' }} disabled={removal.busy}
              onClick={() => void removal.run(() => api.deleteWorkflow(deleting.id)).then((ok) => { if (ok) { setDeleting(null); workflows.reload(); toast(`${deleting.name} deleted`); } })}>
              Delete workflow
            </button>
          </div>
        </Modal>
      )}
    </>
  );
}

function NewWorkflow({ projectId, onClose }: { projectId: string; onClose: () => void }) {
  const [name, setName] = useState('');
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await action.run(async () => {
      // An empty canvas: the server's starter has a manual trigger, which an HTTP workflow does not want.
      const empty: WorkflowDocument = { schema: 'plexus/workflow@1', name, nodes: [], edges: [] };
      const workflow = await api.createWorkflow(projectId, name, empty);
      navigate(`/projects/${projectId}/workflows/${workflow.id}`);
    });
  };
  return (
    <Modal title="New workflow" onClose={onClose}>
      <form onSubmit={submit}>
        <ProblemBox error={action.error} />
        <div className="field">
          <label htmlFor="workflow-name">Name</label>
          <input id="workflow-name" className="input" autoFocus required value={name} onChange={(e) => setName(e.target.value)} placeholder="greet, create-order, nightly-report…" />
          <span className="hint">Unique in the project. Other workflows call blueprints by this name.</span>
        </div>
        <div className="buttons">
          <button type="button" className="btn" onClick={onClose}>Cancel</button>
          <button className="btn primary" disabled={action.busy}>Create and open</button>
        </div>
      </form>
    </Modal>
  );
}

export function PublicationsPage({ scope }: { scope: ProjectScope }) {
  const { project } = scope;
  const mayEdit = can(scope.org.role, 'edit');
  const matrix = useLoad(() => api.publications(project.id), [project.id]);
  const [target, setTarget] = useState<{ workflow: string; name: string; stage: string; current: number | null } | null>(null);
  const [addingStage, setAddingStage] = useState(false);
  return (
    <>
      <PageHead title="Publishing" lead="Which version of each workflow every stage runs. Publish a newer version, or an older one to roll back.">
        {mayEdit && <button className="btn" onClick={() => setAddingStage(true)}><Icon name="plus" /> New stage</button>}
      </PageHead>
      <ProblemBox error={matrix.error} />
      {matrix.data && matrix.data.workflows.length === 0 ? (
        <div className="card"><Empty icon="publish" title="Nothing to publish yet" action={<Link className="btn primary" to={`/projects/${project.id}/workflows`}>Go to workflows</Link>}>
          Create a workflow, then freeze its draft into a version and publish it to a stage from the editor or from here.
        </Empty></div>
      ) : matrix.data && (
        <div className="card">
          <table className="data matrix">
            <thead><tr><th>Workflow</th>{matrix.data.stages.map((s) => <th key={s} style={{ textAlign: 'center' }}>{s}</th>)}</tr></thead>
            <tbody>
              {matrix.data.workflows.map((w) => (
                <tr key={w.id}>
                  <td><Link to={`/projects/${project.id}/workflows/${w.id}`}><strong>{w.name}</strong></Link> {w.kind === 'blueprint' && <span className="badge plain">blueprint</span>}</td>
                  {matrix.data!.stages.map((s) => {
                    const v = w.stages[s] ?? null;
                    return (
                      <td key={s} className="cell">
                        <div className="row" style={{ justifyContent: 'center' }}>
                          {v === null ? <span className="muted">—</span> : <span className="badge brand version">v{v}</span>}
                          {mayEdit && <button className="btn small ghost" aria-label={`Change ${w.name} on ${s}`} onClick={() => setTarget({ workflow: w.id, name: w.name, stage: s, current: v })}>Change</button>}
                        </div>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {target && <PublishDialog {...target} onClose={() => setTarget(null)} onDone={() => { setTarget(null); matrix.reload(); }} />}
      {addingStage && <NewStage projectId={project.id} onClose={() => setAddingStage(false)} onDone={() => { setAddingStage(false); matrix.reload(); }} />}
    </>
  );
}

function NewStage({ projectId, onClose, onDone }: { projectId: string; onClose: () => void; onDone: () => void }) {
  const [name, setName] = useState('');
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await action.run(() => api.createStage(projectId, name))) {
      toast(`Stage ${name} added`);
      onDone();
    }
  };
  return (
    <Modal title="New stage" onClose={onClose}>
      <form onSubmit={submit}>
        <ProblemBox error={action.error} />
        <div className="field">
          <label htmlFor="stage-name">Name</label>
          <input id="stage-name" className="input mono" autoFocus required value={name} onChange={(e) => setName(e.target.value)} placeholder="staging" />
          <span className="hint">A lowercase letter, then lowercase letters, digits and -. Each stage has its own secrets, variables and routes.</span>
        </div>
        <div className="buttons">
          <button type="button" className="btn" onClick={onClose}>Cancel</button>
          <button className="btn primary" disabled={action.busy}>Add stage</button>
        </div>
      </form>
    </Modal>
  );
}

function PublishDialog({ workflow, name, stage, current, onClose, onDone }: { workflow: string; name: string; stage: string; current: number | null; onClose: () => void; onDone: () => void }) {
  const versions = useLoad(() => api.versions(workflow), [workflow]);
  const [choice, setChoice] = useState<string>('');
  const action = useAction();
  const list = versions.data?.items ?? [];
  const selected = choice || (list[0] ? String(list[0].version) : 'draft');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await action.run(async () => {
      const version = selected === 'draft' ? (await api.freeze(workflow)).version : Number(selected);
      await api.publish(workflow, stage, version);
      toast(`${name} v${version} is live on ${stage}`);
    });
    if (ok) onDone();
  };
  return (
    <Modal title={`Publish ${name} on ${stage}`} onClose={onClose}>
      <form onSubmit={submit}>
        <ProblemBox error={action.error ?? versions.error} />
        <div className="field">
          <label htmlFor="version">Version</label>
          <select id="version" className="input" value={selected} onChange={(e) => setChoice(e.target.value)}>
            <option value="draft">Freeze the current draft as a new version</option>
            {list.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version} · {ago(v.createdAt)}{v.version === current ? ' (live here)' : current !== null && v.version < current ? ' (roll back)' : ''}
              </option>
            ))}
          </select>
        </div>
        <div className="buttons">
          {current !== null && (
            <button type="button" className="btn danger" onClick={() => void action.run(() => api.unpublish(workflow, stage)).then((ok) => ok && onDone())}>Unpublish</button>
          )}
          <span className="spacer" />
          <button type="button" className="btn" onClick={onClose}>Cancel</button>
          <button className="btn primary" disabled={action.busy}>Publish</button>
        </div>
      </form>
    </Modal>
  );
}

interface RouteRow {
  workflow: string;
  workflowId: string;
  stage: string;
  version: number;
  node: string;
  method: string;
  path: string;
  auth: string;
}

/** Routes answer for published versions only, so they are read from each stage's version documents. */
async function loadRoutes(projectId: string): Promise<RouteRow[]> {
  const matrix = await api.publications(projectId);
  const cache = new Map<string, Promise<WorkflowDocument>>();
  const rows: RouteRow[] = [];
  for (const w of matrix.workflows) {
    for (const stage of matrix.stages) {
      const version = w.stages[stage];
      if (version === null || version === undefined) continue;
      const key = `${w.id}@${version}`;
      if (!cache.has(key)) cache.set(key, api.version(w.id, version));
      const doc = await cache.get(key)!;
      for (const node of doc.nodes.filter((n) => n.type === 'http.trigger')) {
        const s = node.settings ?? {};
        rows.push({
          workflow: w.name, workflowId: w.id, stage, version, node: node.id,
          method: typeof s.method === 'string' ? s.method : 'POST', path: typeof s.path === 'string' ? s.path : '/', auth: typeof s.auth === 'string' ? s.auth : 'none',
        });
      }
    }
  }
  return rows;
}

const authText: Record<string, string> = { none: 'public', apiKey: 'API key', jwt: 'member token' };

export function RoutesPage({ scope }: { scope: ProjectScope }) {
  const { project } = scope;
  const routes = useLoad(() => loadRoutes(project.id), [project.id]);
  return (
    <>
      <PageHead title="Routes" lead={<>HTTP endpoints of published workflows. Each stage answers under <code>/p/{project.slug}/&lt;stage&gt;/</code>.</>} />
      <ProblemBox error={routes.error} />
      <div className="card">
        {routes.data && routes.data.length === 0 ? (
          <Empty icon="route" title="No routes yet" action={<Link className="btn primary" to={`/projects/${project.id}/workflows`}>Open workflows</Link>}>
            Add an HTTP trigger to a workflow and publish it to a stage: its route shows up here with the URL to call.
          </Empty>
        ) : (
          <table className="data">
            <thead><tr><th>Method</th><th>URL</th><th>Stage</th><th>Workflow</th><th>Auth</th></tr></thead>
            <tbody>
              {routes.data?.map((r) => {
                const url = `${location.origin}/p/${project.slug}/${r.stage}${r.path.startsWith('/') ? r.path : `/${r.path}`}`;
                return (
                  <tr key={`${r.workflowId}-${r.stage}-${r.node}`}>
                    <td><span className={`method ${r.method}`}>{r.method}</span></td>
                    <td><CopyText text={url} /></td>
                    <td><span className="badge plain">{r.stage}</span></td>
                    <td><Link to={`/projects/${project.id}/workflows/${r.workflowId}`}>{r.workflow}</Link> <span className="muted">v{r.version}</span></td>
                    <td>{r.auth === 'none' ? <span className="badge plain">public</span> : <span className="badge waiting">{authText[r.auth] ?? r.auth}</span>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}

export function VariablesPage({ scope }: { scope: ProjectScope }) {
  const { project } = scope;
  const stages = useLoad(() => api.stages(project.id), [project.id]);
  const [stage, setStage] = useState('dev');
  // Listing secrets (names only) takes an editor; changing either takes an admin (docs/api.md).
  const mayList = can(scope.org.role, 'edit');
  const mayChange = can(scope.org.role, 'admin');
  const secrets = useLoad(() => (mayList ? api.secrets(project.id, stage) : Promise.resolve({ items: [], next: null })), [project.id, stage, mayList]);
  const env = useLoad(() => api.env(project.id, stage), [project.id, stage]);
  const action = useAction();
  const [kind, setKind] = useState<'secret' | 'env'>('secret');
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const add = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await action.run(() => (kind === 'secret' ? api.setSecret(project.id, stage, name, value) : api.setEnv(project.id, stage, name, value)));
    if (ok) {
      setName('');
      setValue('');
      secrets.reload();
      env.reload();
      toast(kind === 'secret' ? `Secret ${name} saved on ${stage}` : `Variable ${name} saved on ${stage}`);
    }
  };
  return (
    <>
      <PageHead title="Secrets & variables" lead={<>Per stage. Use <code>secret('NAME')</code> or <code>&lt;secret:NAME&gt;</code>, and <code>env.NAME</code> in settings. Secret values are write-only.</>} />
      <div className="tabs">
        {stages.data?.items.map((s) => <button key={s.name} className={s.name === stage ? 'active' : ''} onClick={() => setStage(s.name)}>{s.name}</button>)}
      </div>
      <ProblemBox error={action.error ?? secrets.error ?? env.error} />
      {!mayChange && <div className="notice">Your role ({scope.org.role ?? 'none'}) can read {mayList ? 'these' : 'the variables'}; admins and owners set them.</div>}
      {mayChange && <form className="card pad" onSubmit={add} style={{ marginBottom: 18 }}>
        <div className="row">
          <select className="input" style={{ width: 150 }} value={kind} onChange={(e) => setKind(e.target.value as 'secret' | 'env')} aria-label="Kind">
            <option value="secret">Secret</option>
            <option value="env">Variable</option>
          </select>
          <input className="input mono" style={{ width: 220 }} placeholder="NAME" value={name} onChange={(e) => setName(e.target.value)} required aria-label="Name" />
          <input className="input mono" type={kind === 'secret' ? 'password' : 'text'} placeholder={kind === 'secret' ? 'value (never shown again)' : 'value'} value={value} onChange={(e) => setValue(e.target.value)} aria-label="Value" autoComplete="off" />
          <button className="btn primary" disabled={action.busy}>Save on {stage}</button>
        </div>
      </form>}
      <div className="card">
        <table className="data">
          <thead><tr><th>Name</th><th>Kind</th><th>Value</th><th>Updated</th><th /></tr></thead>
          <tbody>
            {secrets.data?.items.map((s) => (
              <tr key={`s-${s.name}`}>
                <td><code>{s.name}</code></td><td><span className="badge waiting">secret</span></td><td className="muted">••••••••</td><td className="muted">{ago(s.updatedAt)}</td>
                <td className="actions">{mayChange && <button className="btn small danger" onClick={() => void action.run(() => api.deleteSecret(project.id, stage, s.name)).then(secrets.reload)}>Delete</button>}</td>
              </tr>
            ))}
            {env.data?.items.map((v) => (
              <tr key={`e-${v.name}`}>
                <td><code>{v.name}</code></td><td><span className="badge plain">variable</span></td><td><code>{v.value}</code></td><td className="muted">{ago(v.updatedAt)}</td>
                <td className="actions">{mayChange && <button className="btn small danger" onClick={() => void action.run(() => api.deleteEnv(project.id, stage, v.name)).then(env.reload)}>Delete</button>}</td>
              </tr>
            ))}
            {secrets.data?.items.length === 0 && env.data?.items.length === 0 && (
              <tr><td colSpan={5} className="muted" style={{ textAlign: 'center', padding: 28 }}>Nothing on {stage} yet.{mayChange && ' Add an API token as a secret, or a setting like REGION as a variable, above.'}</td></tr>
            )}
          </tbody>
        </table>
      </div>
    </>
  );
}

const statuses: ExecutionStatus[] = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'];

export function ExecutionsPage({ scope }: { scope: ProjectScope }) {
  const { project } = scope;
  const workflows = useLoad(() => api.workflows(project.id), [project.id]);
  const [workflowId, setWorkflowId] = useState('');
  const [status, setStatus] = useState<ExecutionStatus | ''>('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [pages, setPages] = useState(1);
  const list = useLoad(async () => {
    // The list spans every organisation of the user: keep this project's runs, reading pages until enough are found.
    const items = [];
    let cursor: string | undefined;
    let next: string | null = null;
    for (let i = 0; i < 10 * pages; i++) {
      const page = await api.executions({ workflowId: workflowId || undefined, status, from: since ? new Date(since).toISOString() : undefined, to: until ? new Date(until).toISOString() : undefined, cursor, limit: 100 });
      items.push(...page.items.filter((x) => x.projectId === project.id));
      next = page.next;
      if (!next || items.length >= 50 * pages) break;
      cursor = next;
    }
    return { items, more: next !== null };
  }, [project.id, workflowId, status, since, until, pages]);
  const names = new Map(workflows.data?.items.map((w) => [w.id, w.name]));
  return (
    <>
      <PageHead title="Executions" lead="Every run of this project's workflows, newest first." />
      <div className="row wrap" style={{ marginBottom: 16 }}>
        <select className="input" style={{ width: 200 }} value={workflowId} onChange={(e) => setWorkflowId(e.target.value)} aria-label="Workflow">
          <option value="">All workflows</option>
          {workflows.data?.items.map((w) => <option key={w.id} value={w.id}>{w.name}</option>)}
        </select>
        <select className="input" style={{ width: 160 }} value={status} onChange={(e) => setStatus(e.target.value as ExecutionStatus | '')} aria-label="Status">
          <option value="">Any status</option>
          {statuses.map((s) => <option key={s}>{s}</option>)}
        </select>
        <label className="row muted" style={{ gap: 6 }}>From <input className="input" type="datetime-local" style={{ width: 210 }} value={since} onChange={(e) => setSince(e.target.value)} aria-label="From" /></label>
        <label className="row muted" style={{ gap: 6 }}>to <input className="input" type="datetime-local" style={{ width: 210 }} value={until} onChange={(e) => setUntil(e.target.value)} aria-label="To" /></label>
        <span className="spacer" />
        <button className="btn" onClick={list.reload}>Refresh</button>
      </div>
      <ProblemBox error={list.error} />
      <div className="card">
        {list.data && list.data.items.length === 0 ? (
          <Empty icon="runs" title="No executions match">
            Runs appear here when you run a workflow in the editor, a route is called, or a schedule fires. {(workflowId || status || since || until) && 'Try clearing the filters.'}
          </Empty>
        ) : (
          <table className="data">
            <thead><tr><th>Status</th><th>Workflow</th><th>Stage</th><th>Version</th><th>Started</th><th>Duration</th><th>Error</th></tr></thead>
            <tbody>
              {list.data?.items.map((x) => (
                <tr key={x.id} className="clickable" onClick={() => navigate(`/projects/${project.id}/executions/${x.id}`)}>
                  <td><StatusBadge status={x.status} /></td>
                  <td><strong>{names.get(x.workflowId) ?? x.workflowId.slice(0, 8)}</strong></td>
                  <td><span className="badge plain">{x.stage}</span></td>
                  <td className="muted">{x.version === null ? 'draft' : `v${x.version}`}</td>
                  <td className="muted" title={x.startedAt}>{ago(x.startedAt)}</td>
                  <td className="muted">{duration(x.startedAt, x.endedAt)}</td>
                  <td style={{ color: 'var(--bad)', maxWidth: 280, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{x.error?.message ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {list.data?.more && <div style={{ textAlign: 'center', marginTop: 14 }}><button className="btn" onClick={() => setPages(pages + 1)}>Load more</button></div>}
    </>
  );
}

const policies: SavePolicy[] = ['all', 'errors', 'none'];

export function SettingsPage({ scope }: { scope: ProjectScope }) {
  const { project } = scope;
  const mayEdit = can(scope.org.role, 'edit');
  const [name, setName] = useState(project.name);
  const [days, setDays] = useState(String(project.retentionDays ?? ''));
  const [count, setCount] = useState(String(project.retentionMaxCount ?? ''));
  const workflows = useLoad(() => api.workflows(project.id), [project.id]);
  const stages = useLoad(() => api.stages(project.id), [project.id]);
  const action = useAction();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (await action.run(() => api.updateProject(project.id, { name, retentionDays: Number(days || 0), retentionMaxCount: Number(count || 0) }))) {
      toast('Project settings saved');
      scope.reloadProjects();
    }
  };
  const setPolicy = (w: Workflow, stage: string | null, value: string) =>
    void action.run(() => api.updateWorkflow(w.id, stage === null ? { savePolicy: value as SavePolicy } : { stageSavePolicies: { [stage]: value === '' ? null : (value as SavePolicy) } }))
      .then((ok) => ok && (toast('Save policy changed'), workflows.reload()));
  return (
    <>
      <PageHead title="Settings" lead={<>Project <code>{project.slug}</code>: its name, how long execution records are kept, and what each workflow records.</>} />
      <ProblemBox error={action.error} />
      {!mayEdit && <div className="notice">Your role ({scope.org.role ?? 'none'}) can read these settings; editors and up change them.</div>}
      <form className="card pad" onSubmit={save}>
        <fieldset className="settings" disabled={!mayEdit}>
        <h2>Project</h2>
        <div className="field" style={{ maxWidth: 420 }}>
          <label htmlFor="settings-name">Name</label>
          <input id="settings-name" className="input" value={name} onChange={(e) => setName(e.target.value)} required />
        </div>
        <div className="row" style={{ alignItems: 'flex-start', maxWidth: 640 }}>
          <div className="field" style={{ flex: 1 }}>
            <label htmlFor="retention-days">Keep executions for (days)</label>
            <input id="retention-days" className="input" type="number" min={0} value={days} onChange={(e) => setDays(e.target.value)} placeholder="forever" />
            <span className="hint">Empty or 0: no age limit.</span>
          </div>
          <div className="field" style={{ flex: 1 }}>
            <label htmlFor="retention-count">Keep at most (executions)</label>
            <input id="retention-count" className="input" type="number" min={0} value={count} onChange={(e) => setCount(e.target.value)} placeholder="no limit" />
            <span className="hint">Empty or 0: no count limit.</span>
          </div>
        </div>
        {mayEdit && <button className="btn primary" disabled={action.busy}>Save settings</button>}
        </fieldset>
      </form>
      <div className="card">
        <div style={{ padding: '18px 20px 0' }}><h2>What executions record</h2><p className="muted" style={{ marginTop: -6 }}>All runs, only failed ones, or none. A stage may override the workflow's policy.</p></div>
        <table className="data">
          <thead><tr><th>Workflow</th><th>Policy</th>{stages.data?.items.map((s) => <th key={s.name}>on {s.name}</th>)}</tr></thead>
          <tbody>
            {workflows.data?.items.map((w) => (
              <tr key={w.id}>
                <td><strong>{w.name}</strong></td>
                <td>
                  <select className="input" style={{ width: 120, height: 30 }} disabled={!mayEdit} value={w.savePolicy} aria-label={`Save policy of ${w.name}`} onChange={(e) => setPolicy(w, null, e.target.value)}>
                    {policies.map((p) => <option key={p}>{p}</option>)}
                  </select>
                </td>
                {stages.data?.items.map((s) => (
                  <td key={s.name}>
                    <select className="input" style={{ width: 150, height: 30 }} disabled={!mayEdit} value={w.stageSavePolicies[s.name] ?? ''} aria-label={`Save policy of ${w.name} on ${s.name}`} onChange={(e) => setPolicy(w, s.name, e.target.value)}>
                      <option value="">as workflow</option>
                      {policies.map((p) => <option key={p}>{p}</option>)}
                    </select>
                  </td>
                ))}
              </tr>
            ))}
            {workflows.data?.items.length === 0 && <tr><td colSpan={4} className="muted" style={{ textAlign: 'center', padding: 24 }}>No workflows yet.</td></tr>}
          </tbody>
        </table>
      </div>
    </>
  );
}
