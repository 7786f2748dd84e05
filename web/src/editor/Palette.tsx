import { useMemo, useState } from 'react';
import type { NodeType } from '../api/types';
import { Icon } from '../ui/icons';
import { categoryClass, typeInitials } from './NodeCard';

const order = ['trigger', 'http', 'code', 'data', 'flow'];
export const dragType = 'application/x-plexus-node-type';

export function Palette({ types, onAdd }: { types: NodeType[]; onAdd: (type: string) => void }) {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    const hits = types.filter((t) => !q || `${t.type} ${t.title} ${t.description} ${t.category}`.toLowerCase().includes(q));
    const byCategory = new Map<string, NodeType[]>();
    for (const t of hits) byCategory.set(t.category, [...(byCategory.get(t.category) ?? []), t]);
    return [...byCategory].sort(([a], [b]) => (order.indexOf(a) + 99) % 99 - (order.indexOf(b) + 99) % 99);
  }, [types, query]);
  return (
    <aside className="palette" aria-label="Node palette">
      <div className="search">
        <div style={{ position: 'relative' }}>
          <Icon name="search" size={14} style={{ position: 'absolute', left: 10, top: 10, color: 'var(--ink-3)' }} />
          <input className="input" style={{ paddingLeft: 30 }} placeholder="Search nodes" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Search nodes" />
        </div>
      </div>
      <div className="list">
        {groups.length === 0 && <p className="muted" style={{ padding: 8 }}>No node matches “{query}”.</p>}
        {groups.map(([category, list]) => (
          <div key={category}>
            <div className="cat">{category}</div>
            {list.map((t) => (
              <button key={t.type} className="palette-item" draggable data-type={t.type} title={`${t.type}: click to add, or drag onto the canvas`}
                onDragStart={(e) => {
                  e.dataTransfer.setData(dragType, t.type);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
                onClick={() => onAdd(t.type)}>
                <span className={`type-icon ${categoryClass(t.category)}`}>{typeInitials(t.type)}</span>
                <span style={{ minWidth: 0 }}>
                  <div className="t">{t.title}</div>
                  <div className="d">{t.description}</div>
                </span>
              </button>
            ))}
          </div>
        ))}
      </div>
    </aside>
  );
}
