import {
  Background, BackgroundVariant, type Connection, Controls, type Edge, MiniMap, type NodeChange as FlowNodeChange, type EdgeChange,
  ReactFlow, ReactFlowProvider, useReactFlow,
} from '@xyflow/react';
import { type DragEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { can } from '../api/access';
import { ApiError, api } from '../api/client';
import type { DocumentProblem, Execution, Json, JsonObject, NodeRun, NodeType, Project, Role, Stage, Workflow, WorkflowDocument } from '../api/types';
import { Link, navigate, useSearch } from '../router';
import { Icon, LogoMark } from '../ui/icons';
import { JsonView } from '../ui/json';
import { ago, CopyText, Modal, ProblemBox, StatusBadge, toast, useAction } from '../ui/kit';
import { useTheme } from '../ui/theme';
import { ThemeToggle } from '../ui/ThemeToggle';
import { checkConnection } from './connect';
import {
  addEdge, addNode, autoLayout, type Catalog, catalogOf, edgeKey, fragmentOf, initialSettings, moveNodes, newNodeId, outputsOf, parseEnd, paste,
  readFragment, removeEdges, removeNodes, renameNode, setPinned, updateNode, upstreamOf, type NodeChange,
} from './graph';
import { beginGesture, canRedo, canUndo, commit, endGesture, type History, redo, reset, start, undo } from './history';
import { type CardNode, NodeCard } from './NodeCard';
import { HistoryPanel } from './HistoryPanel';
import { dragType, Palette } from './Palette';
import { placeProblems } from './problems';
import { carriedOutputs, follow, isFinished, lastRunByNode, type LiveState, startRun, useLiveState, withReused } from './runs';
import type { PreviewContext } from './preview';
import { SettingsForm } from './SettingsForm';

const nodeTypes = { plexus: NodeCard };
/** Shift-click adds a node to the selection (as Ctrl/Cmd-click does); Shift-drag on the pane draws a selection box. */
const multiSelectKeys = ['Shift', 'Control', 'Meta'];
/** A card's usual size: cards show at once with it instead of waiting hidden for their first measurement. */
const cardEstimate = { initialWidth: 220, initialHeight: 96 };
let typesOnce: Promise<NodeType[]> | null = null;
const loadTypes = () => (typesOnce ??= api.nodeTypes().then((p) => p.items));

/** A past execution shown read-only on the canvas, with the document it ran. */
interface Viewing {
  execution: Execution;
  /** 'version': the frozen version it ran. 'draft': a draft run, shown with the draft as it is now (draft runs keep no copy). */
  source: 'version' | 'draft';
  /** The executions a run from a node reused outputs of (newest first, from the address), for the nodes it did not run. */
  earlier: Execution[];
}

interface Loaded {
  project: Project;
  workflow: Workflow;
  stages: Stage[];
  types: NodeType[];
  document: WorkflowDocument;
  etag: string;
  /** The caller's role in the project's organisation: what the canvas offers follows it. */
  role: Role | null;
  viewing: Viewing | null;
}

/** Re-runs chain: each keeps at most this many earlier executions in its address. */
const maxEarlier = 8;

export function WorkflowEditor({ projectId, workflowId }: { projectId: string; workflowId: string }) {
  const search = useSearch();
  const params = new URLSearchParams(search);
  const executionId = params.get('execution');
  const from = params.get('from') ?? '';
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    setLoaded(null);
    setError(null);
    void (async () => {
      const [project, workflow, stages, types, draft, orgs] = await Promise.all([
        api.project(projectId), api.workflow(workflowId), api.stages(projectId), loadTypes(), api.draft(workflowId), api.orgs()]);
      const role = orgs.items.find((o) => o.id === project.organizationId)?.role ?? null;
      let viewing: Viewing | null = null;
      let document = draft.document;
      if (executionId) {
        const earlierIds = from.split(',').filter(Boolean).slice(0, maxEarlier);
        const [execution, ...earlier] = await Promise.all([api.execution(executionId), ...earlierIds.map((id) => api.execution(id))]);
        if (execution!.workflowId !== workflowId) throw new Error('That execution belongs to another workflow.');
        if (execution!.version !== null) document = await api.version(workflowId, execution!.version);
        viewing = { execution: execution!, source: execution!.version !== null ? 'version' : 'draft', earlier };
      }
      if (live) setLoaded({ project, workflow, stages: stages.items, types, document, etag: draft.etag, role, viewing });
    })().catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [projectId, workflowId, executionId, from]);
  if (error) return <div className="page"><ProblemBox error={error} /><Link to={`/projects/${projectId}/workflows`}>Back to workflows</Link></div>;
  if (!loaded) return <div className="page muted">Opening the workflow…</div>;
  return (
    <ReactFlowProvider key={executionId ?? 'draft'}>
      <Workbench {...loaded} />
    </ReactFlowProvider>
  );
}

type SaveState = 'saved' | 'dirty' | 'saving' | 'conflict' | 'failed';
const autosaveMs = 900;
const testInputKey = (id: string) => `plexus.testInput.${id}`;

function defaultTestInput(doc: WorkflowDocument): string {
  const hook = doc.nodes.find((n) => n.type === 'http.trigger');
  if (!hook) return '{}';
  const path = typeof hook.settings?.path === 'string' ? hook.settings.path : '/';
  const params: JsonObject = {};
  for (const m of path.matchAll(/\{\*?([A-Za-z_]\w*)/g)) params[m[1]!] = '1';
  const method = typeof hook.settings?.method === 'string' ? hook.settings.method : 'POST';
  return JSON.stringify({ method, path, params, query: {}, headers: {}, body: {} }, null, 2);
}

function Workbench(props: Loaded) {
  const { project, workflow, stages, types, role, viewing } = props;
  // A past execution is shown as it ran; a viewer reads the draft. Neither changes it.
  const readOnly = viewing !== null || !can(role, 'edit');
  const mayRun = can(role, 'run');
  const flow = useReactFlow();
  // The canvas's SVG colours (dots, minimap) are attributes, not CSS: they follow the theme from here.
  const dark = useTheme().theme === 'dark';
  const catalog: Catalog = useMemo(() => catalogOf(types), [types]);
  const [history, setHistory] = useState<History<WorkflowDocument>>(() => start(props.document));
  const doc = history.present;
  const [savedDoc, setSavedDoc] = useState<WorkflowDocument>(props.document);
  const etag = useRef(props.etag);
  const [saveState, setSaveState] = useState<SaveState>('saved');
  const [saveError, setSaveError] = useState<unknown>(null);
  const [problems, setProblems] = useState<DocumentProblem[]>([]);
  const [selectedNodes, setSelectedNodes] = useState<string[]>([]);
  const [selectedEdges, setSelectedEdges] = useState<string[]>([]);
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});
  const [refusal, setRefusal] = useState<string | null>(null);
  const [execution, setExecution] = useState<Execution | null>(viewing?.execution ?? null);
  // What a run from a node reused: the execution shown before it (itself possibly with reused runs).
  const [earlier, setEarlier] = useState<Execution | null>(() =>
    viewing ? viewing.earlier.reduceRight<Execution | null>((older, e) => withReused(e, older), null) : null);
  const shown = useMemo(() => (execution ? withReused(execution, earlier) : null), [execution, earlier]);
  const [running, setRunning] = useState(false);
  const [runError, setRunError] = useState<unknown>(null);
  const [publishing, setPublishing] = useState(false);
  // Until the person edits it, the test input follows the trigger (an HTTP trigger's path names its params).
  const [editedInput, setEditedInput] = useState(() => localStorage.getItem(testInputKey(workflow.id)));
  const testInput = editedInput ?? defaultTestInput(doc);
  const canvasRef = useRef<HTMLDivElement>(null);
  const clipboard = useRef<string | null>(null);
  const historyRef = useRef(history);
  historyRef.current = history;
  const saving = useRef<Promise<boolean> | null>(null);

  const dirty = doc !== savedDoc;
  const edit = useCallback((change: (d: WorkflowDocument) => WorkflowDocument) => {
    if (!readOnly) setHistory((h) => commit(h, change(h.present)));
  }, [readOnly]);

  // Saving: autosave shortly after the last change; a stale ETag stops autosave until the person chooses.
  const save = useCallback(async (): Promise<boolean> => {
    if (saving.current) await saving.current;
    const attempt = (async () => {
      const current = historyRef.current.present;
      setSaveState('saving');
      try {
        const answer = await api.saveDraft(workflow.id, current, etag.current);
        etag.current = answer.etag;
        setSavedDoc(current);
        setProblems(answer.saved.problems);
        setSaveError(null);
        setSaveState(historyRef.current.present === current ? 'saved' : 'dirty');
        return true;
      } catch (e) {
        if (e instanceof ApiError && e.status === 412) setSaveState('conflict');
        else {
          setSaveError(e);
          setSaveState('failed');
        }
        return false;
      }
    })();
    saving.current = attempt;
    try {
      return await attempt;
    } finally {
      saving.current = null;
    }
  }, [workflow.id]);

  useEffect(() => {
    if (readOnly) return;
    if (!dirty) {
      if (saveState === 'dirty') setSaveState('saved');
      return;
    }
    if (saveState === 'conflict' || saveState === 'saving' || history.gestureBase !== null) return;
    if (saveState !== 'failed') setSaveState('dirty');
    const timer = setTimeout(() => void save(), autosaveMs);
    return () => clearTimeout(timer);
  }, [doc, dirty, saveState, history.gestureBase, save, readOnly]);

  // A past execution still under way is followed live like a run started here.
  useEffect(() => {
    if (!viewing || isFinished(viewing.execution)) return;
    const following = follow(viewing.execution.id, setExecution);
    following.done.catch((e: unknown) => setRunError(e));
    return following.stop;
  }, [viewing]);

  const reload = async () => {
    const draft = await api.draft(workflow.id);
    etag.current = draft.etag;
    setHistory(reset(draft.document));
    setSavedDoc(draft.document);
    setSaveState('saved');
  };
  const overwrite = async () => {
    const draft = await api.draft(workflow.id);
    etag.current = draft.etag;
    setSaveState('dirty');
    await save();
  };

  // Canvas model
  const placed = useMemo(() => placeProblems(savedDoc, problems), [savedDoc, problems]);
  const runs = useMemo(() => lastRunByNode(shown), [shown]);
  const typeOf = useCallback((t: string) => catalog.get(t), [catalog]);
  // Each card (and its data) is kept while its inputs are the same objects, so a drag re-renders only the dragged card
  // (cards are memoised on their data), not every card of a large workflow, and
  // React Flow only recomputes nodes whose object changed.
  const cards = useRef(new Map<string, CardNode>());
  const nodes: CardNode[] = useMemo(() => {
    const previous = cards.current;
    const next = new Map<string, CardNode>();
    const selection = new Set(selectedNodes);
    const list = doc.nodes.map((n) => {
      const run = runs.get(n.id);
      const problemsOf = placed.byNode.get(n.id)?.all;
      const old = previous.get(n.id);
      const pinned = doc.pinned?.[n.id] !== undefined;
      const data = old && old.data.node === n && old.data.run === run && old.data.pinned === pinned && (problemsOf ?? []).join('\n') === old.data.problems.join('\n')
        ? old.data
        : { node: n, type: typeOf(n.type), outputs: outputsOf(n, catalog), run, problems: problemsOf ?? [], pinned };
      const selected = selection.has(n.id);
      const size = measured[n.id];
      const card = old && old.data === data && old.selected === selected && old.measured === size
        ? old
        : { id: n.id, type: 'plexus' as const, position: n.position ?? { x: 0, y: 0 }, selected, measured: size, data, ...cardEstimate };
      next.set(n.id, card);
      return card;
    });
    cards.current = next;
    return list;
  }, [doc.nodes, doc.pinned, selectedNodes, measured, typeOf, catalog, runs, placed]);
  const edges: Edge[] = useMemo(() => doc.edges.map((e) => {
    const from = parseEnd(e.from, 'from');
    const to = parseEnd(e.to, 'to');
    const run = runs.get(from.node);
    const carried = run?.status === 'succeeded' && (run.port === from.port || (run.port === null && from.port === 'out'));
    const key = edgeKey(e);
    return {
      id: key, source: from.node, sourceHandle: from.port, target: to.node, targetHandle: to.port, selected: selectedEdges.includes(key),
      animated: running && !carried, className: carried ? 'carried' : undefined,
      style: { strokeWidth: 2, stroke: from.port === 'error' ? 'var(--bad)' : carried ? 'var(--ok)' : 'var(--edge)' },
    };
  }), [doc.edges, runs, selectedEdges, running]);

  const onNodesChange = useCallback((changes: FlowNodeChange<CardNode>[]) => {
    const positions: Record<string, { x: number; y: number }> = {};
    const sizes: Record<string, { width: number; height: number }> = {};
    let selection: { add: string[]; remove: string[] } | null = null;
    for (const c of changes) {
      if (c.type === 'position' && c.position) positions[c.id] = { x: Math.round(c.position.x), y: Math.round(c.position.y) };
      else if (c.type === 'dimensions' && c.dimensions) sizes[c.id] = c.dimensions;
      else if (c.type === 'select') {
        selection ??= { add: [], remove: [] };
        (c.selected ? selection.add : selection.remove).push(c.id);
      }
    }
    if (Object.keys(positions).length) edit((d) => moveNodes(d, positions));
    if (Object.keys(sizes).length) setMeasured((m) => ({ ...m, ...sizes }));
    if (selection) {
      const s = selection;
      setSelectedNodes((current) => [...current.filter((id) => !s.remove.includes(id)), ...s.add.filter((id) => !current.includes(id))]);
    }
  }, [edit]);

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    const add: string[] = [];
    const remove: string[] = [];
    for (const c of changes) if (c.type === 'select') (c.selected ? add : remove).push(c.id);
    if (add.length || remove.length) setSelectedEdges((current) => [...current.filter((id) => !remove.includes(id)), ...add.filter((id) => !current.includes(id))]);
  }, []);

  const refuse = useCallback((reason: string) => {
    setRefusal(reason);
    setTimeout(() => setRefusal((r) => (r === reason ? null : r)), 5000);
  }, []);

  const onConnect = useCallback((c: Connection) => {
    const from = { node: c.source, port: c.sourceHandle ?? 'out' };
    const to = { node: c.target, port: c.targetHandle ?? 'in' };
    const verdict = checkConnection(historyRef.current.present, catalog, from, to);
    if (!verdict.ok) refuse(verdict.reason);
    else {
      setRefusal(null);
      edit((d) => addEdge(d, from, to));
    }
  }, [catalog, edit, refuse]);

  const freeSpot = useCallback((p: { x: number; y: number }) => {
    let spot = { x: Math.round(p.x), y: Math.round(p.y) };
    while (historyRef.current.present.nodes.some((n) => Math.abs((n.position?.x ?? 0) - spot.x) < 20 && Math.abs((n.position?.y ?? 0) - spot.y) < 20)) {
      spot = { x: spot.x + 40, y: spot.y + 40 };
    }
    return spot;
  }, []);

  const add = useCallback((type: string, at?: { x: number; y: number }) => {
    const t = catalog.get(type);
    if (t?.singleInstance && historyRef.current.present.nodes.some((n) => n.type === type)) {
      refuse(`A workflow has at most one ${t.title}.`);
      return;
    }
    let position = at;
    if (!position) {
      const rect = canvasRef.current?.getBoundingClientRect();
      const center = flow.screenToFlowPosition({ x: (rect?.left ?? 0) + (rect?.width ?? 800) / 2, y: (rect?.top ?? 0) + (rect?.height ?? 600) / 2 });
      // Next to the last node when there is one, so click-to-add builds a readable chain.
      const last = historyRef.current.present.nodes.at(-1);
      position = last?.position ? { x: last.position.x + 280, y: last.position.y } : { x: center.x - 100, y: center.y - 40 };
    }
    const id = newNodeId(historyRef.current.present, type);
    const settings = initialSettings(t);
    edit((d) => addNode(d, { id, type, position: freeSpot(position), ...(Object.keys(settings).length ? { settings } : {}) }));
    setSelectedNodes([id]);
    setSelectedEdges([]);
    // A node added by click may land outside the view: bring the whole graph back into it once it is measured.
    if (!at) setTimeout(() => void flow.fitView({ padding: 0.3, maxZoom: 1, duration: 150 }), 60);
  }, [catalog, edit, flow, freeSpot, refuse]);

  const onDrop = useCallback((e: DragEvent) => {
    const type = e.dataTransfer.getData(dragType);
    if (!type) return;
    e.preventDefault();
    const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    add(type, { x: p.x - 100, y: p.y - 30 });
  }, [add, flow]);

  const deleteSelection = useCallback(() => {
    if (selectedNodes.length === 0 && selectedEdges.length === 0) return;
    edit((d) => removeEdges(removeNodes(d, selectedNodes), selectedEdges));
    setSelectedNodes([]);
    setSelectedEdges([]);
  }, [edit, selectedNodes, selectedEdges]);

  const pasteText = useCallback((text: string) => {
    const fragment = readFragment(text);
    if (!fragment || fragment.nodes.length === 0) return false;
    let ids: string[] = [];
    edit((d) => {
      const result = paste(d, fragment, { x: 40, y: 40 });
      ids = result.ids;
      return result.doc;
    });
    setSelectedNodes(ids);
    return true;
  }, [edit]);

  const runNow = useCallback(async (from?: string) => {
    setRunError(null);
    setRefusal(null);
    let input: Json;
    try {
      input = JSON.parse(testInput) as Json;
    } catch (e) {
      setRunError(new Error(`The test input is not JSON: ${(e as Error).message}`));
      return;
    }
    setRunning(true);
    try {
      if (historyRef.current.present !== savedDoc || saveState !== 'saved') {
        if (!(await save())) throw new Error('Save the draft first: it could not be saved (see above).');
      }
      const present = historyRef.current.present;
      let pinned: JsonObject = present.pinned ?? {};
      let fromHere = {};
      if (from) {
        // From a node: upstream outputs come from the run shown (with what it reused itself, and pins), so only that
        // part runs again; the canvas keeps showing the reused runs.
        pinned = { ...pinned, ...carriedOutputs(shown, upstreamOf(present, from)) };
        fromHere = { fromNode: from, ...(execution ? { fromExecution: execution.id } : {}) };
        setEarlier(shown);
      } else setEarlier(null);
      await startRun(workflow.id, { input, ...fromHere, ...(Object.keys(pinned).length ? { pinned } : {}) }, setExecution);
    } catch (e) {
      setRunError(e);
    } finally {
      setRunning(false);
    }
  }, [testInput, savedDoc, saveState, save, workflow.id, execution, shown]);

  // Re-running a past execution from a node: the same version (or the draft) on the same stage, with that execution's
  // upstream outputs; the new run is then shown the same way, with where its reused outputs came from in the address.
  const rerun = useCallback(async (node: string) => {
    if (!viewing || !execution) return;
    setRunError(null);
    setRunning(true);
    try {
      const pinned: JsonObject = { ...(doc.pinned ?? {}), ...carriedOutputs(shown, upstreamOf(doc, node)) };
      const answer = await api.run(workflow.id, {
        stage: execution.stage, ...(execution.version !== null ? { version: execution.version } : {}), input: execution.trigger,
        fromNode: node, fromExecution: execution.id, ...(Object.keys(pinned).length ? { pinned } : {}),
      }, 1000);
      const chain = [execution.id, ...viewing.earlier.map((e) => e.id)].slice(0, maxEarlier).join(',');
      navigate(`/projects/${project.id}/workflows/${workflow.id}?execution=${answer.id}&from=${chain}`);
    } catch (e) {
      setRunError(e);
      setRunning(false);
    }
  }, [viewing, execution, shown, doc, workflow.id, project.id]);

  const resume = useCallback(async (node: string, payload: Json) => {
    if (!execution) return;
    setRunError(null);
    setRunning(true);
    try {
      const answer = await api.resume(execution.id, node, payload);
      setExecution(answer);
      if (!isFinished(answer)) await follow(answer.id, setExecution).done;
    } catch (e) {
      setRunError(e);
    } finally {
      setRunning(false);
    }
  }, [execution]);
  const [panel, setPanel] = useState<'run' | 'history'>('run');

  // Keyboard: shortcuts act on the canvas unless the person is typing in a field.
  useEffect(() => {
    const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
    const key = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === 's') {
        e.preventDefault();
        if (!readOnly) void save();
        return;
      }
      if (mod && e.key === 'Enter') {
        e.preventDefault();
        if (!viewing && mayRun) void runNow();
        return;
      }
      if (typing(e.target) || readOnly) return;
      if (mod && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        setHistory((h) => (e.shiftKey ? redo(h) : undo(h)));
      } else if (mod && e.key.toLowerCase() === 'y') {
        e.preventDefault();
        setHistory(redo);
      } else if (mod && e.key.toLowerCase() === 'a') {
        e.preventDefault();
        setSelectedNodes(historyRef.current.present.nodes.map((n) => n.id));
        setSelectedEdges([]);
      } else if (e.key === 'Delete' || e.key === 'Backspace') {
        e.preventDefault();
        deleteSelection();
      }
    };
    const copy = (e: ClipboardEvent) => {
      if (typing(e.target) || selectedNodes.length === 0) return;
      const text = JSON.stringify(fragmentOf(historyRef.current.present, selectedNodes), null, 2);
      clipboard.current = text;
      e.clipboardData?.setData('text/plain', text);
      e.preventDefault();
      toast(`Copied ${selectedNodes.length} node${selectedNodes.length > 1 ? 's' : ''}`);
    };
    const pasted = (e: ClipboardEvent) => {
      if (typing(e.target) || readOnly) return;
      const text = e.clipboardData?.getData('text/plain') || clipboard.current;
      if (text && pasteText(text)) e.preventDefault();
    };
    window.addEventListener('keydown', key);
    window.addEventListener('copy', copy);
    window.addEventListener('paste', pasted);
    return () => {
      window.removeEventListener('keydown', key);
      window.removeEventListener('copy', copy);
      window.removeEventListener('paste', pasted);
    };
  }, [save, runNow, deleteSelection, selectedNodes, pasteText, readOnly, viewing, mayRun]);

  const selected = selectedNodes.length === 1 ? doc.nodes.find((n) => n.id === selectedNodes[0]) : undefined;
  const importFile = useRef<HTMLInputElement>(null);

  return (
    <div className="editor">
      <header className="topbar">
        <Link to={`/projects/${project.id}/workflows`} className="btn ghost small" aria-label="Back to workflows"><Icon name="back" /></Link>
        <LogoMark />
        <div className="crumbs">
          <Link to={`/projects/${project.id}/workflows`}>{project.name}</Link>
          <span className="muted">/</span>
          <span data-testid="workflow-name">{workflow.name}</span>
        </div>
        {!readOnly && <SaveBadge state={saveState} onSave={() => void save()} />}
        {viewing && <span className="mode-badge" data-testid="read-only">Read-only: {viewing.source === 'version' ? `version ${viewing.execution.version}` : 'a draft run'}</span>}
        {!viewing && readOnly && (
          <span className="mode-badge" data-testid="read-only" title={`Your role${role ? ` (${role})` : ''} can read this workflow, not change or run it`}>View only</span>
        )}
        <span className="spacer" />
        {!readOnly && (
          <>
            <button className="btn ghost small" title="Undo (Ctrl+Z)" aria-label="Undo" disabled={!canUndo(history)} onClick={() => setHistory(undo)}><Icon name="undo" /></button>
            <button className="btn ghost small" title="Redo (Ctrl+Shift+Z)" aria-label="Redo" disabled={!canRedo(history)} onClick={() => setHistory(redo)}><Icon name="redo" /></button>
            <button className="btn ghost small" title="Arrange nodes left to right" aria-label="Auto-layout" onClick={() => { edit(autoLayout); setTimeout(() => void flow.fitView({ padding: 0.25, duration: 200 }), 50); }}><Icon name="layout" /></button>
          </>
        )}
        <ThemeToggle />
        <button className="btn ghost small" title="Zoom to fit" aria-label="Zoom to fit" onClick={() => void flow.fitView({ padding: 0.25, duration: 200 })}><Icon name="fit" /></button>
        {!readOnly && (
          <>
            <button className="btn ghost small" title="Import nodes from a workflow file" aria-label="Import" onClick={() => importFile.current?.click()}><Icon name="upload" /></button>
            <input ref={importFile} type="file" accept=".json,application/json" hidden onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void file.text().then((t) => !pasteText(t) && refuse(`${file.name} is not a workflow file.`));
              e.target.value = '';
            }} />
          </>
        )}
        <button className="btn ghost small" title={viewing ? 'Download the document this execution ran' : 'Download the draft as a workflow file'} aria-label="Export"
          onClick={() => download(`${workflow.name}${viewing?.source === 'version' ? `-v${viewing.execution.version}` : ''}.json`, doc)}><Icon name="download" /></button>
        {(viewing || mayRun || !readOnly) && <span style={{ width: 1, height: 24, background: 'var(--line)' }} />}
        {viewing ? (
          <Link className="btn" to={`/projects/${project.id}/workflows/${workflow.id}`}><Icon name="back" /> Back to the draft</Link>
        ) : (
          <>
            {mayRun && <button className="btn" onClick={() => void runNow()} disabled={running} title="Run the draft on dev (Ctrl+Enter)"><Icon name="runs" /> {running ? 'Running…' : 'Run'}</button>}
            {can(role, 'edit') && <button className="btn primary" onClick={() => setPublishing(true)}><Icon name="publish" /> Publish</button>}
          </>
        )}
      </header>
      <div className={`workbench${readOnly ? ' without-palette' : ''}`}>
        {!readOnly && <Palette types={types} onAdd={(t) => add(t)} />}
        <div className="canvas" ref={canvasRef} onDragOver={(e) => { if (e.dataTransfer.types.includes(dragType)) { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; } }} onDrop={onDrop}>
          {refusal && <div className="refusal" role="alert" data-testid="refusal">{refusal}</div>}
          {execution && !refusal && (
            <div className="run-banner" data-testid="run-banner">
              <StatusBadge status={execution.status} />
              <span>{execution.version === null ? 'Draft run' : `v${execution.version}`} on {execution.stage}, {ago(execution.startedAt)}
                {earlier && <span className="muted">, from a node</span>}</span>
              {!isFinished(execution) && execution.status !== 'waiting' && <LiveIndicator />}
              <Link to={`/projects/${project.id}/executions/${execution.id}`}>Details</Link>
              {!viewing && <button className="btn ghost small" aria-label="Hide run data" onClick={() => { setExecution(null); setEarlier(null); }}>×</button>}
            </div>
          )}
          <ReactFlow<CardNode, Edge>
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            nodesDraggable={!readOnly}
            nodesConnectable={!readOnly}
            onNodeDragStart={() => !readOnly && setHistory(beginGesture)}
            onNodeDragStop={() => !readOnly && setHistory(endGesture)}
            onPaneClick={() => { setSelectedNodes([]); setSelectedEdges([]); setRefusal(null); }}
            deleteKeyCode={null}
            multiSelectionKeyCode={multiSelectKeys}
            selectionKeyCode="Shift"
            fitView
            fitViewOptions={{ padding: 0.3, maxZoom: 1 }}
            minZoom={0.2}
            maxZoom={2}
            proOptions={{ hideAttribution: true }}
            colorMode={dark ? 'dark' : 'light'}
          >
            <Background variant={BackgroundVariant.Dots} gap={18} size={1.2} color={dark ? '#2a303c' : '#c8cdd8'} />
            <MiniMap pannable zoomable style={{ width: 160, height: 110 }} nodeColor={(n) => (n.selected ? (dark ? '#7d75ff' : '#4f46e5') : dark ? '#3a4150' : '#c3c8d4')}
              maskColor={dark ? 'rgba(5, 7, 12, 0.55)' : undefined} />
            <Controls showInteractive={false} />
          </ReactFlow>
          {doc.nodes.length === 0 && readOnly && <div className="canvas-hint"><div className="big">No nodes yet</div></div>}
          {doc.nodes.length === 0 && !readOnly && (
            <div className="canvas-hint">
              <div className="big">Start with a trigger</div>
              <div>Drag <strong>HTTP trigger</strong> from the left, or click it. Then add nodes and connect their ports.</div>
            </div>
          )}
        </div>
        <aside className="inspector" aria-label="Inspector">
          {selected ? (
            <NodeInspector key={selected.id} doc={doc} node={selected} type={catalog.get(selected.type)} execution={shown} readOnly={readOnly}
              runFrom={mayRun && (!viewing || execution !== null) ? (viewing ? 'Re-run from here' : 'Run from here') : null}
              fieldProblems={placed.byNode.get(selected.id)?.fields ?? {}} nodeProblems={placed.byNode.get(selected.id)?.all ?? []}
              onChange={(change) => edit((d) => updateNode(d, selected.id, change))}
              onRename={(to) => {
                if (!/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(to)) return refuse('An id starts with a letter or _, then letters, digits, _ or -.');
                if (doc.nodes.some((n) => n.id === to)) return refuse(`There is already a node '${to}'.`);
                edit((d) => renameNode(d, selected.id, to));
                setSelectedNodes([to]);
              }}
              onPin={(value) => edit((d) => setPinned(d, selected.id, value))}
              onRunFrom={() => void (viewing ? rerun(selected.id) : runNow(selected.id))} running={running}
              onDelete={deleteSelection}
              onEditStart={() => setHistory(beginGesture)} onEditEnd={() => setHistory(endGesture)} />
          ) : (
            <>
            <div className="tabs" style={{ padding: '0 10px', marginBottom: 0 }}>
              <button className={panel === 'run' || viewing ? 'active' : ''} onClick={() => setPanel('run')}>{viewing ? 'Execution' : 'Run'}</button>
              {!viewing && <button className={panel === 'history' ? 'active' : ''} onClick={() => setPanel('history')}>Versions</button>}
            </div>
            {panel === 'history' && !viewing ? (
              <HistoryPanel workflowId={workflow.id} draft={doc}
                onRestore={readOnly ? null : (restored, version) => { edit(() => restored); toast(`Restored v${version} into the draft (undo to go back)`); }} />
            ) : (
            <RunPanel execution={shown} viewing={viewing !== null} role={role} running={running} runError={runError ?? saveError} testInput={testInput}
              problems={placed} nodeCount={doc.nodes.length} selectedCount={selectedNodes.length}
              onTestInput={(t) => { setEditedInput(t); localStorage.setItem(testInputKey(workflow.id), t); }}
              onResetInput={() => { setEditedInput(null); localStorage.removeItem(testInputKey(workflow.id)); }}
              onRun={() => void runNow()} onSelect={(id) => { setSelectedNodes([id]); setSelectedEdges([]); }} onResume={(node, payload) => void resume(node, payload)}
              onDeleteSelection={readOnly ? null : deleteSelection} />
            )}
            </>
          )}
        </aside>
      </div>
      {saveState === 'conflict' && (
        <Modal title="Someone else saved this workflow" onClose={() => undefined}>
          <p>The draft changed on the server after you opened it (another tab or person). Your changes are not saved yet.</p>
          <div className="buttons">
            <button className="btn" onClick={() => void reload()}>Reload theirs (drop mine)</button>
            <button className="btn primary" onClick={() => void overwrite()}>Overwrite with mine</button>
          </div>
        </Modal>
      )}
      {publishing && <PublishModal project={project} workflow={workflow} stages={stages} doc={doc} save={save} dirty={dirty || saveState !== 'saved'} onClose={() => setPublishing(false)} />}
    </div>
  );
}

const liveWords: Record<LiveState, string> = { off: 'waiting', connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', unavailable: 'polling' };
const liveHints: Record<LiveState, string> = {
  off: 'Not following yet',
  connecting: 'Connecting to live events',
  live: 'Each node shows its state as it happens (/hubs/executions)',
  reconnecting: 'The live connection dropped; when it is back, what happened meanwhile is shown',
  unavailable: 'Live events are not reachable: the stored record is read every moment instead',
};

/** How the running execution is being followed: live events, a reconnect under way, or polling. */
function LiveIndicator() {
  const state = useLiveState();
  return <span className={`live-state ${state}`} data-testid="live-state" data-state={state} title={liveHints[state]}>{liveWords[state]}</span>;
}

function download(name: string, doc: WorkflowDocument) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function SaveBadge({ state, onSave }: { state: SaveState; onSave: () => void }) {
  const text: Record<SaveState, string> = { saved: 'Saved', dirty: 'Unsaved changes', saving: 'Saving…', conflict: 'Conflict', failed: 'Not saved' };
  const cls = state === 'dirty' || state === 'saving' ? 'dirty' : state === 'saved' ? '' : 'bad';
  return (
    <span className={`save-state ${cls}`} data-testid="save-state" data-state={state}>
      {state === 'saved' && <Icon name="check" size={14} />}{text[state]}
      {(state === 'dirty' || state === 'failed') && <button className="btn ghost small" onClick={onSave} title="Save (Ctrl+S)"><Icon name="save" size={14} /></button>}
    </span>
  );
}

function NodeInspector({ doc, node, type, execution, readOnly, runFrom, fieldProblems, nodeProblems, onChange, onRename, onPin, onRunFrom, running, onDelete, onEditStart, onEditEnd }: {
  doc: WorkflowDocument; node: WorkflowDocument['nodes'][number]; type: NodeType | undefined; execution: Execution | null;
  readOnly: boolean; runFrom: string | null;
  fieldProblems: Record<string, string[]>; nodeProblems: string[];
  onChange: (change: NodeChange) => void; onRename: (to: string) => void; onPin: (value: Json | undefined) => void; onRunFrom: () => void; running: boolean; onDelete: () => void;
  onEditStart: () => void; onEditEnd: () => void;
}) {
  const runs = useMemo(() => lastRunByNode(execution), [execution]);
  const run = runs.get(node.id);
  const previewContext = useMemo<PreviewContext | null>(() => execution && {
    input: run?.input ?? null,
    trigger: execution.trigger,
    nodes: Object.fromEntries([...runs].map(([id, r]) => [id, { output: r.output }])),
    env: {},
    execution: { id: execution.id, stage: execution.stage, workflow: doc.name },
  }, [execution, runs, run, doc.name]);
  const upstream = useMemo(() => upstreamOf(doc, node.id), [doc, node.id]);
  const [tab, setTab] = useState<'settings' | 'output'>(run ? 'output' : 'settings');
  const [id, setId] = useState(node.id);
  const pinned = doc.pinned?.[node.id];
  return (
    <>
      <div className="head">
        <div className="row">
          <div style={{ minWidth: 0 }}>
            <div style={{ fontWeight: 650, fontSize: 15 }}>{type?.title ?? node.type}</div>
            <div className="muted mono">{node.type}</div>
          </div>
          <span className="spacer" />
          {runFrom && !type?.isTrigger && (
            <button className="btn small" onClick={onRunFrom} disabled={running}
              title="Run this node and what follows it again, with the upstream outputs of the run shown">{runFrom}</button>
          )}
          {!readOnly && <button className="btn small danger" onClick={onDelete} aria-label="Delete node"><Icon name="trash" size={14} /></button>}
        </div>
        {type?.description && <p className="muted" style={{ margin: '8px 0 0', fontSize: 12.5 }}>{type.description}</p>}
      </div>
      <div className="tabs">
        <button className={tab === 'settings' ? 'active' : ''} onClick={() => setTab('settings')}>Settings</button>
        <button className={tab === 'output' ? 'active' : ''} onClick={() => setTab('output')}>Output {run && <StatusBadge status={run.waiting ? 'waiting' : run.status} />}</button>
      </div>
      <div className="body">
        {tab === 'settings' ? (
          <fieldset className="settings" disabled={readOnly}>
            {nodeProblems.length > 0 && <div className="problem"><strong>Problems</strong><ul>{nodeProblems.map((p) => <li key={p}>{p}</li>)}</ul></div>}
            <div className="row" style={{ alignItems: 'flex-start' }}>
              <div className="field" style={{ flex: 1 }}>
                <label htmlFor="node-id">Id</label>
                <input id="node-id" className="input mono" value={id} onChange={(e) => setId(e.target.value)} onBlur={() => id !== node.id && onRename(id)} onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()} />
              </div>
              <div className="field" style={{ flex: 1 }}>
                <label htmlFor="node-label">Label</label>
                <input id="node-label" className="input" value={node.label ?? ''} placeholder={type?.title} onFocus={onEditStart} onBlur={onEditEnd} onChange={(e) => onChange({ label: e.target.value })} />
              </div>
            </div>
            {type ? (
              <SettingsForm schema={type.settingsSchema} settings={node.settings ?? {}} problems={fieldProblems}
                onChange={(settings) => onChange({ settings })} onEditStart={onEditStart} onEditEnd={onEditEnd} previewContext={previewContext}
                rawSettings={type.rawSettings} upstream={upstream} readOnly={readOnly} />
            ) : <div className="problem">Unknown node type {node.type}.</div>}
            <div className="field">
              <label htmlFor="node-notes">Notes</label>
              <textarea id="node-notes" className="input" style={{ fontFamily: 'inherit' }} rows={2} value={node.notes ?? ''} onFocus={onEditStart} onBlur={onEditEnd} onChange={(e) => onChange({ notes: e.target.value })} />
            </div>
            <label className="row" style={{ fontWeight: 400 }}>
              <input type="checkbox" checked={node.disabled === true} onChange={(e) => onChange({ disabled: e.target.checked })} /> Disabled (passes its input on unchanged)
            </label>
          </fieldset>
        ) : (
          <NodeOutput run={run} pinned={pinned} onPin={readOnly ? null : onPin} />
        )}
      </div>
    </>
  );
}

function NodeOutput({ run, pinned, onPin }: { run: NodeRun | undefined; pinned: Json | undefined; onPin: ((value: Json | undefined) => void) | null }) {
  return (
    <div className="stack" data-testid="node-output">
      {pinned !== undefined && (
        <div className="notice">This node is pinned: runs from the editor use this value instead of running it.
          {onPin && <div style={{ marginTop: 6 }}><button className="btn small" onClick={() => onPin(undefined)}>Unpin</button></div>}</div>
      )}
      {!run ? <p className="muted">{onPin ? 'Run the workflow to see what this node received and produced.' : 'This node did not run in this execution.'}</p> : (
        <>
          <div className="row"><StatusBadge status={run.waiting ? 'waiting' : run.status} />{run.reused && <span className="badge plain brand" title="A run from a later node reused this output; it did not run again">reused</span>}
            {run.port && <span className="badge plain">port {run.port}</span>}
            <span className="muted">{run.durationMs !== null ? `${run.durationMs.toFixed(1)} ms` : ''}{run.attempts > 1 ? ` · ${run.attempts} attempts` : ''}</span></div>
          {run.error && <div className="problem"><strong>{run.error.type}</strong>{run.error.message}</div>}
          <div><h3>Output</h3><JsonView value={run.output} truncated={run.outputTruncated} /></div>
          {onPin && run.status === 'succeeded' && <button className="btn small" onClick={() => onPin(run.output)}>Pin this output as test data</button>}
          <div><h3>Input</h3><JsonView value={run.input} truncated={run.inputTruncated} /></div>
          {run.logs && run.logs.length > 0 && <div><h3>Console</h3><pre className="raw">{run.logs.join('\n')}</pre></div>}
        </>
      )}
    </div>
  );
}

function RunPanel({ execution, viewing, role, running, runError, testInput, problems, nodeCount, selectedCount, onTestInput, onResetInput, onRun, onSelect, onResume, onDeleteSelection }: {
  execution: Execution | null; viewing: boolean; role: Role | null; running: boolean; runError: unknown; testInput: string; problems: ReturnType<typeof placeProblems>;
  nodeCount: number; selectedCount: number; onTestInput: (t: string) => void; onResetInput: () => void; onRun: () => void; onSelect: (id: string) => void;
  onResume: (node: string, payload: Json) => void; onDeleteSelection: (() => void) | null;
}) {
  const [payload, setPayload] = useState('{ "approved": true }');
  const mayRun = can(role, 'run');
  const all = [...problems.general, ...[...problems.byNode].flatMap(([id, p]) => p.all.map((m) => `${id}: ${m}`))];
  const response = execution ? httpResponse(execution) : null;
  return (
    <>
      <div className="head">
        {selectedCount > 1 && (
          <div className="row">
            <div style={{ fontWeight: 650, fontSize: 15 }} data-testid="selection-count">{selectedCount} nodes selected</div>
            <span className="spacer" />
            {onDeleteSelection && <button className="btn small danger" onClick={onDeleteSelection}><Icon name="trash" size={14} /> Delete {selectedCount}</button>}
          </div>
        )}
        <p className="muted" style={{ margin: selectedCount > 1 ? '4px 0 0' : 0, fontSize: 12.5 }}>
          {viewing ? 'This execution as it ran, read-only. Select a node to see its input and output; "Re-run from here" runs it and what follows again with this execution\'s upstream outputs.'
            : !mayRun ? `Your role${role ? ` (${role})` : ''} can read this workflow and its runs, not change or run it. Select a node to see its settings.`
            : nodeCount === 0 ? 'Add nodes from the palette; select one to edit its settings.' : 'Runs the draft on dev with this test input. Select a node to see its output.'}
        </p>
      </div>
      <div className="body">
        <ProblemBox error={runError} />
        {!viewing && all.length > 0 && <div className="problem"><strong>The draft has problems</strong><ul>{all.map((p) => <li key={p}>{p}</li>)}</ul></div>}
        {!viewing && mayRun && (
          <>
            <div className="field">
              <label htmlFor="test-input">Test input <span className="spacer" /><button className="btn ghost small" onClick={onResetInput}>Reset</button></label>
              <textarea id="test-input" className="input" rows={9} value={testInput} spellCheck={false} onChange={(e) => onTestInput(e.target.value)} />
              <span className="hint">What the trigger receives. For an HTTP trigger: the request, with params, query, headers and body.</span>
            </div>
            <button className="btn primary" style={{ width: '100%', justifyContent: 'center' }} disabled={running || nodeCount === 0} onClick={onRun}>
              <Icon name="runs" /> {running ? 'Running…' : 'Run draft'}
            </button>
          </>
        )}
        {execution && (
          <div className="card" style={{ marginTop: 18 }} data-testid="run-result">
            <div className="run-summary">
              <div className="row"><StatusBadge status={execution.status} /><span className="muted">{plural(execution.nodes?.filter((n) => !n.reused).length ?? 0, 'node run')}</span><span className="spacer" />
                <Link to={`/projects/${execution.projectId}/executions/${execution.id}`}>Details</Link></div>
              {execution.error && <div style={{ color: 'var(--bad)' }}>{execution.error.node && <strong>{execution.error.node}: </strong>}{execution.error.message}</div>}
            </div>
            <div style={{ padding: '4px 0' }}>
              {execution.nodes?.map((n, i) => (
                <button key={`${n.sequence}-${i}`} className={`palette-item${n.reused ? ' reused' : ''}`} style={{ cursor: 'pointer', padding: '6px 16px', borderRadius: 0 }}
                  onClick={() => onSelect(n.nodeId)} data-testid="node-run" data-node={n.nodeId} data-reused={n.reused ? 'true' : undefined}>
                  <StatusBadge status={n.waiting ? 'waiting' : n.status} /><span className="mono" style={{ flex: 1 }}>{n.nodeId}{n.pinned && <span className="badge plain brand" style={{ marginLeft: 6 }}>pinned</span>}
                    {n.reused && <span className="badge plain" style={{ marginLeft: 6 }} title="Not run again: its output came from the earlier execution">reused</span>}</span>
                  <span className="muted">{n.durationMs !== null ? `${n.durationMs.toFixed(1)} ms` : ''}</span>
                </button>
              ))}
            </div>
            {mayRun && execution.status === 'waiting' && execution.nodes?.filter((n) => n.waiting).map((n) => (
              <div key={n.nodeId} style={{ padding: '8px 16px 14px' }}>
                <h3>Waiting at {n.nodeId}</h3>
                <textarea className="input" rows={3} value={payload} onChange={(e) => setPayload(e.target.value)} aria-label="Resume payload" spellCheck={false} />
                <button className="btn small primary" style={{ marginTop: 8 }} disabled={running} onClick={() => {
                  try {
                    onResume(n.nodeId, JSON.parse(payload) as Json);
                  } catch {
                    toast('The payload is not JSON');
                  }
                }}>Resume with this payload</button>
              </div>
            ))}
            {response && (
              <div style={{ padding: '8px 16px 14px' }} data-testid="run-response">
                <h3>HTTP response <span className="badge plain">{String(response.status)}</span></h3>
                <JsonView value={response.body} />
              </div>
            )}
            {isFinished(execution) && execution.result !== null && <div style={{ padding: '8px 16px 14px' }}><h3>Result</h3><JsonView value={execution.result} /></div>}
          </div>
        )}
        {viewing && execution && <div style={{ marginTop: 18 }}><h3>Trigger input</h3><JsonView value={execution.trigger} /></div>}
      </div>
    </>
  );
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** What the route would have answered: the output of the first http.response that ran (the first response wins). */
function httpResponse(execution: Execution): { status: Json; body: Json } | null {
  const sent = execution.nodes?.find((n) => n.type === 'http.response' && n.status === 'succeeded');
  const output = sent?.output;
  if (!output || typeof output !== 'object' || Array.isArray(output)) return null;
  return { status: output.status ?? 200, body: output.body ?? null };
}

function PublishModal({ project, workflow, stages, doc, save, dirty, onClose }: {
  project: Project; workflow: Workflow; stages: Stage[]; doc: WorkflowDocument; save: () => Promise<boolean>; dirty: boolean; onClose: () => void;
}) {
  const [stage, setStage] = useState(stages.some((s) => s.name === 'prod') ? 'prod' : (stages[0]?.name ?? 'dev'));
  const [done, setDone] = useState<{ version: number; stage: string } | null>(null);
  const action = useAction();
  const publish = async () => {
    await action.run(async () => {
      if (dirty && !(await save())) throw new Error('The draft could not be saved; publishing needs a saved draft.');
      const version = await api.freeze(workflow.id);
      await api.publish(workflow.id, stage, version.version);
      setDone({ version: version.version, stage });
      toast(`${workflow.name} v${version.version} is live on ${stage}`);
    });
  };
  const hooks = doc.nodes.filter((n) => n.type === 'http.trigger');
  return (
    <Modal title={done ? `Live on ${done.stage}` : 'Publish'} onClose={onClose}>
      <ProblemBox error={action.error} />
      {done ? (
        <>
          <p>Version <strong>v{done.version}</strong> of {workflow.name} now answers on <strong>{done.stage}</strong>.</p>
          {hooks.map((h) => {
            const method = typeof h.settings?.method === 'string' ? h.settings.method : 'POST';
            const path = typeof h.settings?.path === 'string' ? h.settings.path : '/';
            return <div key={h.id} className="row" style={{ marginBottom: 8 }}><span className={`method ${method}`}>{method}</span><CopyText text={`${location.origin}/p/${project.slug}/${done.stage}${path}`} /></div>;
          })}
          <div className="buttons"><Link className="btn" to={`/projects/${project.id}/publications`}>All publications</Link><button className="btn primary" onClick={onClose}>Done</button></div>
        </>
      ) : (
        <>
          <p className="muted">Freezes the current draft into a new version and points the stage at it. Roll back from Publishing.</p>
          <div className="field">
            <label htmlFor="publish-stage">Stage</label>
            <select id="publish-stage" className="input" value={stage} onChange={(e) => setStage(e.target.value)}>
              {stages.map((s) => <option key={s.name}>{s.name}</option>)}
            </select>
          </div>
          <div className="buttons">
            <button className="btn" onClick={onClose}>Cancel</button>
            <button className="btn primary" disabled={action.busy} onClick={() => void publish()}>{action.busy ? 'Publishing…' : `Publish to ${stage}`}</button>
          </div>
        </>
      )}
    </Modal>
  );
}
