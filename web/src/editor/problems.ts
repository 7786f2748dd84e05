// Places the server's validation problems ("nodes[2].settings.status: must be 100..599") on nodes and fields.
import type { DocumentProblem, WorkflowDocument } from '../api/types';

export interface PlacedProblems {
  byNode: Map<string, { all: string[]; fields: Record<string, string[]> }>;
  general: string[];
}

export function placeProblems(doc: WorkflowDocument, problems: readonly DocumentProblem[]): PlacedProblems {
  const byNode: PlacedProblems['byNode'] = new Map();
  const general: string[] = [];
  for (const p of problems) {
    const m = /^nodes\[(\d+)\](?:\.settings\.([A-Za-z0-9_]+))?/.exec(p.path);
    const node = m ? doc.nodes[Number(m[1])] : undefined;
    if (!m || !node) {
      general.push(`${p.path}: ${p.message}`);
      continue;
    }
    const entry = byNode.get(node.id) ?? { all: [], fields: {} };
    entry.all.push(m[2] ? `${m[2]}: ${p.message}` : p.message);
    if (m[2]) entry.fields[m[2]] = [...(entry.fields[m[2]] ?? []), p.message];
    byNode.set(node.id, entry);
  }
  return { byNode, general };
}
