import type {
  ApiKey, DocumentProblem, EnvEntry, Execution, ExecutionStatus, Json, Member, NodeType, Org, Page, Problem, Project,
  Publication, PublicationMatrix, Role, RunAccepted, RunRequest, SavedDraft, SavePolicy, SecretEntry, Session, Stage,
  Version, Workflow, WorkflowDocument,
} from './types';

/** An answer of the API that is not a success, with its problem details. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }

  get code(): string | undefined {
    return this.problem.code;
  }
}

export interface TokenStore {
  get(): Session | null;
  set(session: Session | null): void;
}

const storageKey = 'plexus.session';

/** Keeps the session in localStorage so a reload stays signed in. */
export const localTokens: TokenStore = {
  get() {
    const raw = localStorage.getItem(storageKey);
    if (!raw) return null;
    try {
      return JSON.parse(raw) as Session;
    } catch {
      return null;
    }
  },
  set(session) {
    if (session) localStorage.setItem(storageKey, JSON.stringify(session));
    else localStorage.removeItem(storageKey);
  },
};

interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined | null>;
  anonymous?: boolean;
}

export interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** Typed calls to /api/v1. Refreshes the access token once on 401 and retries. */
export class ApiClient {
  private refreshing: Promise<boolean> | null = null;
  onSignedOut: () => void = () => {};

  constructor(private readonly tokens: TokenStore, private readonly base = '/api/v1') {}

  /** The current access token, for connections that cannot go through send() (the live-events hub). */
  accessToken(): string | null {
    return this.tokens.get()?.accessToken ?? null;
  }

  async send<T>(path: string, options: RequestOptions = {}): Promise<Answer<T>> {
    let answer = await this.once(path, options);
    if (answer.status === 401 && !options.anonymous && this.tokens.get()) {
      if (await this.refresh()) answer = await this.once(path, options);
      else {
        this.tokens.set(null);
        this.onSignedOut();
      }
    }
    const text = await answer.text();
    const body: unknown = text ? parse(text) : null;
    if (!answer.ok) throw new ApiError(answer.status, toProblem(body, answer));
    return { status: answer.status, body: body as T, headers: answer.headers };
  }

  async call<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.send<T>(path, options)).body;
  }

  private once(path: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    const session = this.tokens.get();
    if (session && !options.anonymous) headers.authorization = `Bearer ${session.accessToken}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let url = this.base + path;
    if (options.query) {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(options.query)) {
        if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
      }
      const text = query.toString();
      if (text) url += (url.includes('?') ? '&' : '?') + text;
    }
    return fetch(url, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  }

  private refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      const session = this.tokens.get();
      if (!session) return false;
      try {
        const next = await fetch(`${this.base}/auth/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken: session.refreshToken }),
        });
        if (!next.ok) return false;
        this.tokens.set((await next.json()) as Session);
        return true;
      } catch {
        return false;
      } finally {
        setTimeout(() => (this.refreshing = null), 0);
      }
    })();
    return this.refreshing;
  }

  // Accounts
  signup = (email: string, password: string, name: string) =>
    this.call<Session>('/auth/signup', { body: { email, password, name }, anonymous: true });
  login = (email: string, password: string) => this.call<Session>('/auth/login', { body: { email, password }, anonymous: true });
  logout = (refreshToken: string) => this.call<null>('/auth/logout', { body: { refreshToken }, anonymous: true });

  // Organisations
  orgs = () => this.call<Page<Org>>('/orgs');
  createOrg = (name: string) => this.call<Org>('/orgs', { body: { name } });
  members = (org: string) => this.call<Page<Member>>(`/orgs/${org}/members`);
  addMember = (org: string, email: string, role: Role) => this.call<Member>(`/orgs/${org}/members`, { body: { email, role } });
  setRole = (org: string, user: string, role: Role) =>
    this.call<Member>(`/orgs/${org}/members/${user}`, { method: 'PATCH', body: { role } });
  removeMember = (org: string, user: string) => this.call<null>(`/orgs/${org}/members/${user}`, { method: 'DELETE' });
  apiKeys = (org: string) => this.call<Page<ApiKey>>(`/orgs/${org}/api-keys`);
  createApiKey = (org: string, name: string, scopes: string[]) => this.call<ApiKey>(`/orgs/${org}/api-keys`, { body: { name, scopes } });
  revokeApiKey = (org: string, key: string) => this.call<null>(`/orgs/${org}/api-keys/${key}`, { method: 'DELETE' });

  // Projects and stages
  projects = (org: string) => this.call<Page<Project>>(`/orgs/${org}/projects`);
  createProject = (org: string, name: string, slug: string) => this.call<Project>(`/orgs/${org}/projects`, { body: { name, slug } });
  project = (id: string) => this.call<Project>(`/projects/${id}`);
  updateProject = (id: string, change: Partial<Pick<Project, 'name' | 'retentionDays' | 'retentionMaxCount'>>) =>
    this.call<Project>(`/projects/${id}`, { method: 'PATCH', body: change });
  stages = (project: string) => this.call<Page<Stage>>(`/projects/${project}/stages`);
  createStage = (project: string, name: string) => this.call<Stage>(`/projects/${project}/stages`, { body: { name } });

  // Workflows, drafts, versions, publishing
  workflows = (project: string) => this.call<Page<Workflow>>(`/projects/${project}/workflows`);
  createWorkflow = (project: string, name: string, document?: WorkflowDocument) =>
    this.call<Workflow>(`/projects/${project}/workflows`, { body: document ? { name, document } : { name } });
  workflow = (id: string) => this.call<Workflow>(`/workflows/${id}`);
  updateWorkflow = (id: string, change: { name?: string; savePolicy?: SavePolicy; stageSavePolicies?: Record<string, SavePolicy | null> }) =>
    this.call<Workflow>(`/workflows/${id}`, { method: 'PATCH', body: change });
  deleteWorkflow = (id: string) => this.call<null>(`/workflows/${id}`, { method: 'DELETE' });

  async draft(id: string): Promise<{ document: WorkflowDocument; etag: string }> {
    const answer = await this.send<WorkflowDocument>(`/workflows/${id}/draft`);
    return { document: answer.body, etag: answer.headers.get('etag') ?? '' };
  }

  async saveDraft(id: string, document: WorkflowDocument, etag: string): Promise<{ saved: SavedDraft; etag: string }> {
    const answer = await this.send<SavedDraft>(`/workflows/${id}/draft`, {
      method: 'PUT',
      body: document,
      headers: { 'if-match': etag },
      query: { allowInvalid: true },
    });
    return { saved: answer.body, etag: answer.headers.get('etag') ?? `"${answer.body.revision}"` };
  }

  versions = (id: string) => this.call<Page<Version>>(`/workflows/${id}/versions`);
  version = (id: string, version: number) => this.call<WorkflowDocument>(`/workflows/${id}/versions/${version}`);
  freeze = (id: string) => this.call<Version>(`/workflows/${id}/versions`, { method: 'POST' });
  publish = (id: string, stage: string, version: number) => this.call<Publication>(`/workflows/${id}/publish`, { body: { stage, version } });
  unpublish = (id: string, stage: string) => this.call<null>(`/workflows/${id}/unpublish`, { body: { stage } });
  publications = (project: string) => this.call<PublicationMatrix>(`/projects/${project}/publications`);

  // Secrets and environment variables
  secrets = (project: string, stage: string) => this.call<Page<SecretEntry>>(`/projects/${project}/stages/${stage}/secrets`);
  setSecret = (project: string, stage: string, name: string, value: string) =>
    this.call<SecretEntry>(`/projects/${project}/stages/${stage}/secrets/${encodeURIComponent(name)}`, { method: 'PUT', body: { value } });
  deleteSecret = (project: string, stage: string, name: string) =>
    this.call<null>(`/projects/${project}/stages/${stage}/secrets/${encodeURIComponent(name)}`, { method: 'DELETE' });
  env = (project: string, stage: string) => this.call<Page<EnvEntry>>(`/projects/${project}/stages/${stage}/env`);
  setEnv = (project: string, stage: string, name: string, value: string) =>
    this.call<EnvEntry>(`/projects/${project}/stages/${stage}/env/${encodeURIComponent(name)}`, { method: 'PUT', body: { value } });
  deleteEnv = (project: string, stage: string, name: string) =>
    this.call<null>(`/projects/${project}/stages/${stage}/env/${encodeURIComponent(name)}`, { method: 'DELETE' });

  // Executions
  async run(workflow: string, request: RunRequest, timeoutMs = 30000): Promise<Execution | RunAccepted> {
    return (await this.send<Execution | RunAccepted>(`/workflows/${workflow}/runs`, { body: request, query: { wait: true, timeoutMs } })).body;
  }
  executions = (filter: { workflowId?: string; status?: ExecutionStatus | ''; from?: string; to?: string; cursor?: string; limit?: number }) =>
    this.call<Page<Execution>>('/executions', { query: { ...filter } });
  execution = (id: string) => this.call<Execution>(`/executions/${id}`);
  cancel = (id: string) => this.call<Execution>(`/executions/${id}/cancel`, { method: 'POST' });
  resume = (id: string, node: string, payload: Json) => this.call<Execution>(`/executions/${id}/resume`, { body: { node, payload } });

  nodeTypes = () => this.call<Page<NodeType>>('/node-types', { anonymous: true });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toProblem(body: unknown, answer: Response): Problem {
  if (body && typeof body === 'object') return body as Problem;
  return { status: answer.status, title: answer.statusText || `HTTP ${answer.status}`, detail: typeof body === 'string' ? body.slice(0, 300) : undefined };
}

/** Problems of a saved draft or a 422, as "path: message" lines. */
export function problemLines(error: ApiError | DocumentProblem[]): string[] {
  if (Array.isArray(error)) return error.map((p) => `${p.path}: ${p.message}`);
  return Object.entries(error.problem.errors ?? {}).flatMap(([path, messages]) => messages.map((m) => `${path}: ${m}`));
}

export const api = new ApiClient(localTokens);
