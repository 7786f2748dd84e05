import { type FormEvent, useState } from 'react';
import { can } from '../api/access';
import { api } from '../api/client';
import type { ApiKey, Role } from '../api/types';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { Icon } from '../ui/icons';
import { ago, CopyText, Empty, Modal, PageHead, ProblemBox, toast, useAction, useLoad } from '../ui/kit';
import type { Scope } from './Shell';

const slugOf = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);

export function ProjectsPage({ scope }: { scope: Scope }) {
  const [creating, setCreating] = useState(false);
  const mayEdit = can(scope.org.role, 'edit');
  return (
    <>
      <PageHead title="Projects" lead={`Everything in ${scope.org.name}: each project has its workflows, stages, secrets and routes.`}>
        {mayEdit && scope.projects.length > 0 && <button className="btn primary" onClick={() => setCreating(true)}><Icon name="plus" /> New project</button>}
      </PageHead>
      {scope.projects.length === 0 ? (
        <div className="card">
          <Empty icon="project" title={mayEdit ? 'Create your first project' : 'No projects yet'}
            action={mayEdit ? <button className="btn primary" onClick={() => setCreating(true)}><Icon name="plus" /> New project</button> : undefined}>
            A project holds workflows and the stages they are published to (dev and prod to start with). Its slug becomes part of
            every route's URL.
          </Empty>
        </div>
      ) : (
        <div className="card">
          <table className="data">
            <thead><tr><th>Name</th><th>Slug</th><th>Created</th></tr></thead>
            <tbody>
              {scope.projects.map((p) => (
                <tr key={p.id} className="clickable" onClick={() => navigate(`/projects/${p.id}/workflows`)}>
                  <td><Link to={`/projects/${p.id}/workflows`}><strong>{p.name}</strong></Link></td>
                  <td><code>{p.slug}</code></td>
                  <td className="muted">{ago(p.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {creating && <NewProject orgId={scope.org.id} onClose={() => setCreating(false)} />}
    </>
  );
}

function NewProject({ orgId, onClose }: { orgId: string; onClose: () => void }) {
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugTouched, setSlugTouched] = useState(false);
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await action.run(async () => {
      const project = await api.createProject(orgId, name, slug);
      navigate(`/projects/${project.id}/workflows`);
    });
  };
  return (
    <Modal title="New project" onClose={onClose}>
      <form onSubmit={submit}>
        <ProblemBox error={action.error} />
        <div className="field">
          <label htmlFor="project-name">Name</label>
          <input id="project-name" className="input" autoFocus value={name} required onChange={(e) => {
            setName(e.target.value);
            if (!slugTouched) setSlug(slugOf(e.target.value));
          }} />
        </div>
        <div className="field">
          <label htmlFor="project-slug">Slug</label>
          <input id="project-slug" className="input mono" value={slug} required pattern="[a-z0-9][a-z0-9\-]{1,61}[a-z0-9]"
            onChange={(e) => { setSlug(e.target.value); setSlugTouched(true); }} />
          <span className="hint">Routes answer at <code>{location.origin}/p/{slug || 'slug'}/prod/…</code> — unique on this server.</span>
        </div>
        <div className="buttons">
          <button type="button" className="btn" onClick={onClose}>Cancel</button>
          <button className="btn primary" disabled={action.busy}>Create project</button>
        </div>
      </form>
    </Modal>
  );
}

const roles: Role[] = ['viewer', 'editor', 'admin', 'owner'];

export function MembersPage({ scope }: { scope: Scope }) {
  const { session } = useSession();
  const mayManage = can(scope.org.role, 'admin');
  const members = useLoad(() => api.members(scope.org.id), [scope.org.id]);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('editor');
  const action = useAction();
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (await action.run(() => api.addMember(scope.org.id, email, role))) {
      setEmail('');
      members.reload();
      toast('Member added');
    }
  };
  return (
    <>
      <PageHead title="Members" lead="Who can see and change this organisation's projects. Viewers read, editors build and run, admins manage people, keys and secrets." />
      <ProblemBox error={action.error ?? members.error} />
      {mayManage && <form className="card pad row" onSubmit={add} style={{ marginBottom: 18 }}>
        <input className="input" type="email" placeholder="Email of someone with a Plexus account" value={email} onChange={(e) => setEmail(e.target.value)} required aria-label="Email" />
        <select className="input" style={{ width: 140 }} value={role} onChange={(e) => setRole(e.target.value as Role)} aria-label="Role">
          {roles.map((r) => <option key={r}>{r}</option>)}
        </select>
        <button className="btn primary" disabled={action.busy}><Icon name="plus" /> Add member</button>
      </form>}
      <div className="card">
        <table className="data">
          <thead><tr><th>Name</th><th>Email</th><th>Role</th><th>Joined</th><th /></tr></thead>
          <tbody>
            {members.data?.items.map((m) => (
              <tr key={m.userId}>
                <td><div className="row"><span className="avatar">{m.name.slice(0, 1).toUpperCase()}</span><strong>{m.name}</strong>{m.userId === session?.user.id && <span className="badge plain brand">you</span>}</div></td>
                <td>{m.email}</td>
                <td>
                  <select className="input" style={{ width: 120, height: 30 }} value={m.role} aria-label={`Role of ${m.email}`} disabled={!mayManage}
                    onChange={(e) => void action.run(() => api.setRole(scope.org.id, m.userId, e.target.value as Role)).then(members.reload)}>
                    {roles.map((r) => <option key={r}>{r}</option>)}
                  </select>
                </td>
                <td className="muted">{ago(m.joinedAt)}</td>
                <td className="actions">
                  {(mayManage || m.userId === session?.user.id) && (
                    <button className="btn small danger" onClick={() => void action.run(() => api.removeMember(scope.org.id, m.userId)).then(members.reload)}>
                      {m.userId === session?.user.id ? 'Leave' : 'Remove'}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

const scopes = ['workflows:read', 'workflows:write', 'executions:run', 'routes:invoke', 'admin'];

export function ApiKeysPage({ scope }: { scope: Scope }) {
  if (!can(scope.org.role, 'admin')) {
    return (
      <>
        <PageHead title="API keys" lead="Keys let programs call the API and routes with auth 'apiKey'." />
        <div className="card"><Empty icon="key" title="Admins manage API keys">Your role in {scope.org.name} ({scope.org.role ?? 'none'}) cannot see or make them. Ask an admin or the owner.</Empty></div>
      </>
    );
  }
  return <ApiKeysList scope={scope} />;
}

function ApiKeysList({ scope }: { scope: Scope }) {
  const keys = useLoad(() => api.apiKeys(scope.org.id), [scope.org.id]);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<ApiKey | null>(null);
  const action = useAction();
  const live = keys.data?.items.filter((k) => !k.revokedAt) ?? [];
  return (
    <>
      <PageHead title="API keys" lead="Keys let programs call the API and routes with auth 'apiKey'. A key is shown once, when it is made.">
        <button className="btn primary" onClick={() => setCreating(true)}><Icon name="plus" /> New key</button>
      </PageHead>
      <ProblemBox error={action.error ?? keys.error} />
      {created?.key && (
        <div className="secret-once" role="status">
          <strong>Copy the key “{created.name}” now — it will not be shown again.</strong>
          <code data-testid="new-api-key">{created.key}</code>
          <div className="row"><CopyText text={created.key} label="Copy key" /><button className="btn small" onClick={() => setCreated(null)}>Done</button></div>
        </div>
      )}
      <div className="card">
        {keys.data && keys.data.items.length === 0 ? (
          <Empty icon="key" title="No API keys yet" action={<button className="btn primary" onClick={() => setCreating(true)}>Create a key</button>}>
            Create a key for CI, a script or another service. Give it only the scopes it needs.
          </Empty>
        ) : (
          <table className="data">
            <thead><tr><th>Name</th><th>Prefix</th><th>Scopes</th><th>Last used</th><th /></tr></thead>
            <tbody>
              {keys.data?.items.map((k) => (
                <tr key={k.id} style={k.revokedAt ? { opacity: 0.5 } : undefined}>
                  <td><strong>{k.name}</strong></td>
                  <td><code>{k.prefix}…</code></td>
                  <td><div className="row wrap" style={{ gap: 4 }}>{k.scopes.map((s) => <span key={s} className="badge plain">{s}</span>)}</div></td>
                  <td className="muted">{k.revokedAt ? `revoked ${ago(k.revokedAt)}` : k.lastUsedAt ? ago(k.lastUsedAt) : 'never'}</td>
                  <td className="actions">
                    {!k.revokedAt && <button className="btn small danger" onClick={() => void action.run(() => api.revokeApiKey(scope.org.id, k.id)).then(keys.reload)}>Revoke</button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {live.length > 0 && <p className="muted" style={{ marginTop: 12 }}>Send a key as <code>Authorization: Bearer plx_…</code> or <code>X-API-Key: plx_…</code>.</p>}
      {creating && <NewKey orgId={scope.org.id} onClose={() => setCreating(false)} onCreated={(k) => { setCreated(k); setCreating(false); keys.reload(); }} />}
    </>
  );
}

function NewKey({ orgId, onClose, onCreated }: { orgId: string; onClose: () => void; onCreated: (key: ApiKey) => void }) {
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>(['routes:invoke']);
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await action.run(async () => onCreated(await api.createApiKey(orgId, name, chosen)));
  };
  return (
    <Modal title="New API key" onClose={onClose}>
      <form onSubmit={submit}>
        <ProblemBox error={action.error} />
        <div className="field">
          <label htmlFor="key-name">Name</label>
          <input id="key-name" className="input" autoFocus required value={name} onChange={(e) => setName(e.target.value)} placeholder="ci, billing-service, …" />
        </div>
        <div className="field">
          <span className="label">Scopes</span>
          {scopes.map((s) => (
            <label key={s} className="row" style={{ fontWeight: 400 }}>
              <input type="checkbox" checked={chosen.includes(s)} onChange={(e) => setChosen(e.target.checked ? [...chosen, s] : chosen.filter((c) => c !== s))} />
              <code>{s}</code>
            </label>
          ))}
        </div>
        <div className="buttons">
          <button type="button" className="btn" onClick={onClose}>Cancel</button>
          <button className="btn primary" disabled={action.busy || chosen.length === 0}>Create key</button>
        </div>
      </form>
    </Modal>
  );
}
