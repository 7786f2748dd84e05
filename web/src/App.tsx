import { useEffect } from 'react';
import { api } from './api/client';
import { WorkflowEditor } from './editor/WorkflowEditor';
import { AuthPage } from './pages/Auth';
import { ExecutionPage } from './pages/ExecutionPage';
import { ApiKeysPage, MembersPage, ProjectsPage } from './pages/OrgPages';
import { ExecutionsPage, PublicationsPage, RoutesPage, SettingsPage, VariablesPage, WorkflowsPage } from './pages/ProjectPages';
import { lastProject, type Scope, Shell } from './pages/Shell';
import { match, navigate, Redirect, usePath } from './router';
import { useSession } from './session';
import { Toaster } from './ui/kit';

type ProjectScope = Scope & { project: NonNullable<Scope['project']> };

const projectPages: Record<string, (scope: ProjectScope) => React.ReactNode> = {
  workflows: (s) => <WorkflowsPage scope={s} />,
  publications: (s) => <PublicationsPage scope={s} />,
  routes: (s) => <RoutesPage scope={s} />,
  variables: (s) => <VariablesPage scope={s} />,
  executions: (s) => <ExecutionsPage scope={s} />,
  settings: (s) => <SettingsPage scope={s} />,
};

const orgPages: Record<string, (scope: Scope) => React.ReactNode> = {
  members: (s) => <MembersPage scope={s} />,
  'api-keys': (s) => <ApiKeysPage scope={s} />,
};

export function App() {
  const { session } = useSession();
  const path = usePath();
  return (
    <>
      <Routes signedIn={session !== null} path={path} />
      <Toaster />
    </>
  );
}

function Routes({ signedIn, path }: { signedIn: boolean; path: string }) {
  if (path === '/login') return signedIn ? <Redirect to="/" /> : <AuthPage mode="login" />;
  if (path === '/signup') return signedIn ? <Redirect to="/" /> : <AuthPage mode="signup" />;
  if (!signedIn) return <Redirect to="/login" />;
  if (path === '/') return <Home />;

  let m = match('/projects/:project/workflows/:workflow', path);
  if (m) return <WorkflowEditor projectId={m.project!} workflowId={m.workflow!} />;
  m = match('/projects/:project/executions/:execution', path);
  if (m) {
    const executionId = m.execution!;
    return <Shell projectId={m.project}>{(s) => <ExecutionPage scope={s} executionId={executionId} />}</Shell>;
  }
  m = match('/projects/:project/:page', path);
  if (m && projectPages[m.page!]) {
    const page = projectPages[m.page!]!;
    return <Shell projectId={m.project}>{(s) => page(s as ProjectScope)}</Shell>;
  }
  m = match('/orgs/:org/:page', path);
  if (m && orgPages[m.page!]) {
    const page = orgPages[m.page!]!;
    return <Shell orgId={m.org}>{(s) => page(s)}</Shell>;
  }
  m = match('/orgs/:org', path);
  if (m) return <Shell orgId={m.org}>{(s) => <ProjectsPage scope={s} />}</Shell>;
  return <Redirect to="/" />;
}

/** Where a signed-in person lands: the project they last had open, else their first organisation's projects. */
function Home() {
  useEffect(() => {
    let live = true;
    void (async () => {
      const last = lastProject();
      if (last) {
        try {
          await api.project(last);
          if (live) navigate(`/projects/${last}/workflows`, true);
          return;
        } catch {
          localStorage.removeItem('plexus.lastProject');
        }
      }
      const orgs = await api.orgs();
      const first = orgs.items.find((o) => o.personal) ?? orgs.items[0];
      if (live && first) navigate(`/orgs/${first.id}`, true);
    })();
    return () => {
      live = false;
    };
  }, []);
  return null;
}
