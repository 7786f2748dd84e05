import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { can } from '../api/access';
import { api } from '../api/client';
import type { Org, Project } from '../api/types';
import { Link, navigate, usePath } from '../router';
import { useSession } from '../session';
import { Icon, LogoMark } from '../ui/icons';
import { Modal, ProblemBox, useAction, useLoad } from '../ui/kit';
import { ThemeToggle } from '../ui/ThemeToggle';

export interface Scope {
  org: Org;
  orgs: Org[];
  project: Project | null;
  projects: Project[];
  reloadProjects: () => void;
}

const lastProjectKey = 'plexus.lastProject';

export function rememberProject(id: string) {
  localStorage.setItem(lastProjectKey, id);
}

export function lastProject(): string | null {
  return localStorage.getItem(lastProjectKey);
}

/** The frame of every page but the canvas: organisation and project switchers, the project's sections, the account. */
export function Shell({ orgId, projectId, children }: { orgId?: string; projectId?: string; children: (scope: Scope) => ReactNode }) {
  const { session, signOut } = useSession();
  const path = usePath();
  const orgs = useLoad(() => api.orgs(), []);
  const project = useLoad(() => (projectId ? api.project(projectId) : Promise.resolve(null)), [projectId]);
  const currentOrgId = project.data?.organizationId ?? orgId;
  const projects = useLoad(() => (currentOrgId ? api.projects(currentOrgId) : Promise.resolve(null)), [currentOrgId]);
  useEffect(() => {
    if (projectId && project.data) rememberProject(projectId);
  }, [projectId, project.data]);

  const org = orgs.data?.items.find((o) => o.id === currentOrgId);
  const [creatingOrg, setCreatingOrg] = useState(false);
  const failed = orgs.error ?? project.error;
  const nav = (to: string, icon: string, label: string) => (
    <Link to={to} className={`nav${path === to || path.startsWith(`${to}/`) ? ' active' : ''}`}>
      <Icon name={icon} /> {label}
    </Link>
  );

  return (
    <div className="shell">
      <aside className="sidebar">
        <Link to="/" className="logo"><LogoMark /> Plexus</Link>
        <div className="switcher-label">Organisation</div>
        <select className="switcher" aria-label="Organisation" value={currentOrgId ?? ''}
          onChange={(e) => (e.target.value === newOrg ? setCreatingOrg(true) : navigate(`/orgs/${e.target.value}`))}>
          {orgs.data?.items.map((o) => <option key={o.id} value={o.id}>{o.name}{o.role ? ` · ${o.role}` : ''}</option>)}
          <option value={newOrg}>+ New organisation…</option>
        </select>
        <div className="switcher-label">Project</div>
        <select className="switcher" aria-label="Project" value={projectId ?? ''}
          onChange={(e) => navigate(e.target.value ? `/projects/${e.target.value}/workflows` : `/orgs/${currentOrgId}`)}>
          <option value="">All projects</option>
          {projects.data?.items.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
        </select>
        {projectId && (
          <>
            <div className="section">Project</div>
            {nav(`/projects/${projectId}/workflows`, 'flow', 'Workflows')}
            {nav(`/projects/${projectId}/publications`, 'publish', 'Publishing')}
            {nav(`/projects/${projectId}/routes`, 'route', 'Routes')}
            {nav(`/projects/${projectId}/variables`, 'lock', 'Secrets & variables')}
            {nav(`/projects/${projectId}/executions`, 'runs', 'Executions')}
            {nav(`/projects/${projectId}/settings`, 'settings', 'Settings')}
          </>
        )}
        {currentOrgId && (
          <>
            <div className="section">Organisation</div>
            {nav(`/orgs/${currentOrgId}`, 'project', 'Projects')}
            {nav(`/orgs/${currentOrgId}/members`, 'users', 'Members')}
            {can(org?.role, 'admin') && nav(`/orgs/${currentOrgId}/api-keys`, 'key', 'API keys')}
          </>
        )}
        <div className="who">
          <span className="avatar">{(session?.user.name ?? '?').slice(0, 1).toUpperCase()}</span>
          <span style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>{session?.user.email}</span>
          <span className="spacer" />
          <ThemeToggle className="btn ghost small sidebar-button" />
          <button className="btn ghost small sidebar-button" title="Log out" aria-label="Log out" onClick={signOut}>
            <Icon name="logout" />
          </button>
        </div>
      </aside>
      <main className="main">
        <div className="page">
          {failed ? <NotFound error={failed} /> : org && (!projectId || project.data) ? children({
            org, orgs: orgs.data?.items ?? [], project: project.data ?? null, projects: projects.data?.items ?? [], reloadProjects: projects.reload,
          }) : <div className="muted">Loading…</div>}
        </div>
      </main>
      {creatingOrg && <NewOrganisation onClose={() => setCreatingOrg(false)} />}
    </div>
  );
}

const newOrg = '+new';

function NewOrganisation({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState('');
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await action.run(async () => {
      const org = await api.createOrg(name);
      onClose();
      navigate(`/orgs/${org.id}`);
    });
  };
  return (
    <Modal title="New organisation" onClose={onClose}>
      <form onSubmit={submit}>
        <ProblemBox error={action.error} />
        <div className="field">
          <label htmlFor="org-name">Name</label>
          <input id="org-name" className="input" autoFocus required value={name} onChange={(e) => setName(e.target.value)} placeholder="Acme" />
          <span className="hint">A team space with its own projects, members and API keys. You will be its owner.</span>
        </div>
        <div className="buttons">
          <button type="button" className="btn" onClick={onClose}>Cancel</button>
          <button className="btn primary" disabled={action.busy}>Create organisation</button>
        </div>
      </form>
    </Modal>
  );
}

function NotFound({ error }: { error: unknown }) {
  return (
    <div className="card pad">
      <h2>This page is not available</h2>
      <p className="muted">{error instanceof Error ? error.message : 'It does not exist, or you are not a member of its organisation.'}</p>
      <Link to="/">Back to your projects</Link>
    </div>
  );
}
