import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import type { NodeRun, NodeType, WorkflowNode } from '../api/types';
import { errorPort } from './graph';

export interface NodeCardData extends Record<string, unknown> {
  node: WorkflowNode;
  type: NodeType | undefined;
  outputs: string[];
  run: NodeRun | undefined;
  problems: string[];
  /** Runs from the editor use the draft's pinned value instead of running this node. */
  pinned: boolean;
}

export type CardNode = Node<NodeCardData, 'plexus'>;

const categories = new Set(['trigger', 'http', 'code', 'data', 'flow']);

export function categoryClass(category: string | undefined): string {
  return `cat-${category && categories.has(category) ? category : 'other'}`;
}

/** Two letters for a type's badge: "http.trigger" → "HT", "code.js" → "JS". */
export function typeInitials(type: string): string {
  const words = type.split('.');
  if (type === 'code.js') return 'JS';
  return words.map((w) => w[0] ?? '').join('').slice(0, 2).toUpperCase();
}

function summary(node: WorkflowNode): string | null {
  const s = node.settings ?? {};
  if (node.type === 'http.trigger') return `${typeof s.method === 'string' ? s.method : 'POST'} ${typeof s.path === 'string' ? s.path : ''}`;
  if (node.type === 'http.response') return `status ${typeof s.status === 'number' || typeof s.status === 'string' ? s.status : 200}`;
  if (node.type === 'code.js' && typeof s.source === 'string') return s.source.split('\n')[0]?.slice(0, 38) ?? null;
  if (node.type === 'flow.if' && s.condition !== undefined) return String(typeof s.condition === 'string' ? s.condition : JSON.stringify(s.condition)).slice(0, 38);
  return null;
}

export const NodeCard = memo(function NodeCard({ data, selected }: NodeProps<CardNode>) {
  const { node, type, outputs, run, problems, pinned } = data;
  const regular = outputs.filter((p) => p !== errorPort);
  const hasError = outputs.includes(errorPort);
  const status = run ? (run.waiting ? 'waiting' : run.status) : null;
  const line = summary(node);
  const classes = ['pnode', selected && 'selected', node.disabled && 'disabled', problems.length > 0 && 'problem-node', status && `run-${status}`, run?.reused && 'run-reused']
    .filter(Boolean).join(' ');
  return (
    <div className={classes} data-node-id={node.id} title={problems.join('\n') || undefined}>
      {(type?.inputs ?? ['in']).map((port) => (
        <Handle key={port} id={port} type="target" position={Position.Left} style={{ top: 24 }} />
      ))}
      <div className="nh">
        <span className={`type-icon ${categoryClass(type?.category)}`}>{typeInitials(node.type)}</span>
        <div style={{ minWidth: 0 }}>
          <div className="nt">{node.label ?? type?.title ?? node.type}</div>
          <div className="ns">{node.id}</div>
        </div>
      </div>
      {line && <div className="ns" style={{ padding: '0 12px 8px', whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis', maxWidth: 240 }}>{line}</div>}
      <div className="nf">
        {run?.reused ? <span className="badge plain brand" title="Not run again: its output came from the earlier execution">reused</span>
          : status ? <span className={`badge ${status}`}>{status}</span> : problems.length > 0 ? <span className="badge bad">{problems.length} problem{problems.length > 1 ? 's' : ''}</span> : <span>{node.disabled ? 'disabled' : type?.category ?? 'unknown type'}</span>}
        <span className="spacer" />
        {pinned && <span className="badge plain brand" title="Runs from the editor use its pinned output">pinned</span>}
        {run?.durationMs !== null && run?.durationMs !== undefined && <span>{run.durationMs < 1 ? '<1' : Math.round(run.durationMs)} ms</span>}
      </div>
      {regular.map((port, i) => (
        <Handle key={port} id={port} type="source" position={Position.Right} style={{ top: 24 + i * 22 }}>
          {regular.length > 1 && <span className="port-label" style={{ right: -6 }}>{port}</span>}
        </Handle>
      ))}
      {hasError && <Handle id={errorPort} type="source" position={Position.Bottom} className="error-port" title="error: fires when this node fails" style={{ left: 'auto', right: 14 }} />}
    </div>
  );
});
