import { useState } from 'react';
import { api } from '../api/client';
import type { Version, WorkflowDocument } from '../api/types';
import { ago, ProblemBox, useLoad } from '../ui/kit';
import { type Change, describe, diffDocuments } from './diff';

const tone: Record<Change['kind'], string> = {
  'node-added': 'var(--ok)', 'edge-added': 'var(--ok)', 'node-removed': 'var(--bad)', 'edge-removed': 'var(--bad)',
  setting: 'var(--warn)', field: 'var(--warn)', pinned: 'var(--ink-3)',
};

/** Frozen versions of the workflow, what the draft changed since each, and restoring one into the draft (undoable). */
/** onRestore null: the person may not change the draft (a viewer, or a past execution shown read-only). */
export function HistoryPanel({ workflowId, draft, onRestore }: { workflowId: string; draft: WorkflowDocument; onRestore: ((doc: WorkflowDocument, version: number) => void) | null }) {
  const versions = useLoad(() => api.versions(workflowId), [workflowId]);
  const [open, setOpen] = useState<number | null>(null);
  const doc = useLoad(() => (open === null ? Promise.resolve(null) : api.version(workflowId, open)), [workflowId, open]);
  const changes = doc.data ? diffDocuments(doc.data, draft) : [];
  return (
    <div className="body" data-testid="history">
      <ProblemBox error={versions.error ?? doc.error} />
      {versions.data?.items.length === 0 && <p className="muted">No versions yet. Publishing freezes the draft into version 1; each later publish adds one.</p>}
      {versions.data?.items.map((v: Version) => (
        <div key={v.version} className="card" style={{ marginBottom: 10 }}>
          <button className="palette-item" style={{ cursor: 'pointer' }} onClick={() => setOpen(open === v.version ? null : v.version)} aria-expanded={open === v.version} aria-label={`Version ${v.version}`}>
            <span className="badge brand plain">v{v.version}</span>
            <span style={{ flex: 1 }}>{ago(v.createdAt)}</span>
            {v.publishedTo.map((s) => <span key={s} className="badge ok">{s}</span>)}
          </button>
          {open === v.version && doc.data && (
            <div style={{ padding: '4px 12px 12px' }}>
              <h3 style={{ marginTop: 6 }}>Draft changes since v{v.version}</h3>
              {changes.length === 0 ? <p className="muted">None: the draft is this version.</p> : (
                <ul className="mono" style={{ margin: 0, paddingLeft: 0, listStyle: 'none', fontSize: 12 }}>
                  {changes.map((c, i) => <li key={i} style={{ color: tone[c.kind], padding: '2px 0', overflowWrap: 'anywhere' }}>{describe(c)}</li>)}
                </ul>
              )}
              {onRestore && (
                <button className="btn small" style={{ marginTop: 10 }} disabled={changes.length === 0}
                  onClick={() => onRestore({ ...doc.data!, name: draft.name }, v.version)}>Restore v{v.version} into the draft</button>
              )}
            </div>
          )}
        </div>
      ))}
    </div>
  );
}
