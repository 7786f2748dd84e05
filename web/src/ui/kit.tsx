import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { ApiError, problemLines } from '../api/client';
import { Icon } from './icons';

/** Shows what the API said went wrong: its title or detail and, for validation, each field's problem. */
export function ProblemBox({ error }: { error: unknown }) {
  if (!error) return null;
  if (error instanceof ApiError) {
    const lines = problemLines(error);
    const title = error.problem.title ?? `Request failed (${error.status})`;
    return (
      <div className="problem" role="alert">
        <strong>{title}</strong>
        {error.problem.detail && error.problem.detail !== title && <div>{error.problem.detail}</div>}
        {lines.length > 0 && <ul>{lines.map((l) => <li key={l}>{l}</li>)}</ul>}
      </div>
    );
  }
  return (
    <div className="problem" role="alert">
      <strong>Something went wrong</strong>
      <div>{error instanceof Error ? error.message : String(error)}</div>
    </div>
  );
}

/** Data from the API for a component: loads on mount and when deps change; reload() after a change. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: unknown) => live && setState({ data: undefined, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Runs an action, keeps its problem for display, and answers whether it worked. */
export function useAction(): { busy: boolean; error: unknown; run: (action: () => Promise<unknown>) => Promise<boolean>; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(null) };
}

export function PageHead({ title, lead, children }: { title: string; lead?: ReactNode; children?: ReactNode }) {
  return (
    <div className="page-head">
      <div>
        <h1>{title}</h1>
        {lead && <p>{lead}</p>}
      </div>
      <div className="spacer" />
      {children}
    </div>
  );
}

export function Empty({ icon, title, children, action }: { icon: string; title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <div className="icon"><Icon name={icon} size={24} /></div>
      <h2>{title}</h2>
      <p>{children}</p>
      {action}
    </div>
  );
}

export function Modal({ title, children, onClose }: { title: string; children: ReactNode; onClose: () => void }) {
  useEffect(() => {
    const key = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', key);
    return () => window.removeEventListener('keydown', key);
  }, [onClose]);
  return (
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal" role="dialog" aria-label={title}>
        <h2>{title}</h2>
        {children}
      </div>
    </div>
  );
}

let showToast: (text: string) => void = () => {};

export function toast(text: string): void {
  showToast(text);
}

export function Toaster() {
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    showToast = (t) => {
      setText(t);
      clearTimeout(timer);
      timer = setTimeout(() => setText(null), 2600);
    };
  }, []);
  return text ? <div className="toast" role="status">{text}</div> : null;
}

export function CopyText({ text, label }: { text: string; label?: string }) {
  return (
    <span className="copy">
      <span title={text}>{label ?? text}</span>
      <button
        className="btn ghost small"
        aria-label="Copy"
        onClick={() => {
          void navigator.clipboard?.writeText(text).then(() => toast('Copied to the clipboard'), () => toast('Copy failed: select the text instead'));
        }}
      >
        <Icon name="copy" size={14} />
      </button>
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${status}`}>{status}</span>;
}

const units: [number, Intl.RelativeTimeFormatUnit][] = [[60, 'second'], [60, 'minute'], [24, 'hour'], [30, 'day'], [12, 'month'], [Infinity, 'year']];
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

export function ago(iso: string | null | undefined): string {
  if (!iso) return '—';
  let value = (new Date(iso).getTime() - Date.now()) / 1000;
  for (const [size, unit] of units) {
    if (Math.abs(value) < size) return relative.format(Math.round(value), unit);
    value /= size;
  }
  return iso;
}

export function duration(start: string | null | undefined, end: string | null | undefined): string {
  if (!start || !end) return '—';
  const ms = new Date(end).getTime() - new Date(start).getTime();
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}
