// Shapes of the Plexus HTTP API (docs/api.md, /openapi/v1.json).

export type Role = 'owner' | 'admin' | 'editor' | 'viewer';
export type SavePolicy = 'all' | 'errors' | 'none';
export type ExecutionStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';
export type NodeRunStatus = ExecutionStatus | 'skipped';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface User {
  id: string;
  email: string;
  name: string;
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: User;
  organization: { id: string; name: string };
}

export interface Org {
  id: string;
  name: string;
  personal: boolean;
  role: Role | null;
  createdAt: string;
}

export interface Member {
  userId: string;
  email: string;
  name: string;
  role: Role;
  joinedAt: string;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt?: string | null;
  revokedAt?: string | null;
  key?: string;
}

export interface Project {
  id: string;
  organizationId: string;
  name: string;
  slug: string;
  createdAt: string;
  retentionDays: number | null;
  retentionMaxCount: number | null;
}

export interface Stage {
  name: string;
  createdAt: string;
}

export interface Workflow {
  id: string;
  projectId: string;
  name: string;
  kind: 'flow' | 'blueprint';
  savePolicy: SavePolicy;
  stageSavePolicies: Record<string, SavePolicy | null>;
  draftRevision: number;
  draftValid: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface Position {
  x: number;
  y: number;
}

export interface WorkflowNode {
  id: string;
  type: string;
  settings?: JsonObject;
  position?: Position;
  label?: string;
  notes?: string;
  disabled?: boolean;
  retry?: JsonObject;
  timeoutMs?: number;
}

export interface WorkflowEdge {
  from: string;
  to: string;
}

export interface WorkflowDocument {
  schema: string;
  name: string;
  description?: string;
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
  pinned?: JsonObject;
  [extra: string]: Json | WorkflowNode[] | WorkflowEdge[] | undefined;
}

export interface DocumentProblem {
  path: string;
  message: string;
}

export interface SavedDraft {
  revision: number;
  valid: boolean;
  problems: DocumentProblem[];
}

export interface Version {
  workflowId: string;
  version: number;
  createdAt: string;
  createdBy: string | null;
  publishedTo: string[];
}

export interface Publication {
  workflowId: string;
  stage: string;
  version: number;
  previousVersion: number | null;
  publishedAt: string;
  publishedBy: string | null;
}

export interface PublicationMatrix {
  workflows: { id: string; name: string; kind: string; stages: Record<string, number | null> }[];
  stages: string[];
}

export interface SecretEntry {
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface EnvEntry extends SecretEntry {
  value: string;
}

export interface ExecutionError {
  message: string;
  type: string;
  node: string | null;
}

export interface NodeRun {
  sequence: number;
  nodeId: string;
  type: string;
  status: NodeRunStatus;
  attempts: number;
  input: Json;
  inputTruncated: boolean;
  output: Json;
  outputTruncated: boolean;
  error: ExecutionError | null;
  port: string | null;
  scope: string | null;
  pinned: boolean;
  waiting: boolean;
  logs: string[] | null;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  /** Set by the editor, never by the API: a run from a node did not run this one, it reused an earlier execution's output. */
  reused?: boolean;
}

export interface Execution {
  id: string;
  status: ExecutionStatus;
  result: Json;
  error: ExecutionError | null;
  workflowId: string;
  projectId: string;
  version: number | null;
  stage: string;
  trigger: Json;
  correlationId: string | null;
  startedAt: string;
  endedAt: string | null;
  nodes?: NodeRun[];
  waits?: { node: string; token: string; resumeAt: string | null }[];
}

export interface RunAccepted {
  id: string;
  status: ExecutionStatus;
  statusUrl: string;
}

export interface RunRequest {
  stage?: string;
  version?: number;
  input?: Json;
  fromNode?: string;
  fromExecution?: string;
  pinned?: JsonObject;
}

/** A JSON Schema, as far as the settings forms read it. */
export interface JsonSchema {
  type?: string | string[];
  description?: string;
  enum?: Json[];
  default?: Json;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
}

export interface NodeType {
  type: string;
  version: number;
  category: string;
  title: string;
  description: string;
  icon: string;
  inputs: string[];
  outputs: string[];
  dynamicOutputs: boolean;
  isTrigger: boolean;
  singleInstance: boolean;
  joinsInputs: boolean;
  settingsSchema: JsonSchema;
  rawSettings: string[];
}

/** RFC 7807 problem details as the server writes them. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: Record<string, string[]>;
}
