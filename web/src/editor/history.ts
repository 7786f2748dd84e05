// Undo/redo over immutable snapshots: exact for every kind of edit because it never replays operations.

export interface History<T> {
  readonly past: readonly T[];
  readonly present: T;
  readonly future: readonly T[];
  /** The state a gesture (a drag) started from; its intermediate states are not history entries. */
  readonly gestureBase: T | null;
}

export const historyLimit = 200;

export function start<T>(present: T): History<T> {
  return { past: [], present, future: [], gestureBase: null };
}

/** Records one edit. An edit that changes nothing (same object) is not an entry. */
export function commit<T>(h: History<T>, next: T): History<T> {
  if (h.gestureBase !== null) return { ...h, present: next };
  if (next === h.present) return h;
  const past = [...h.past, h.present];
  return { past: past.length > historyLimit ? past.slice(past.length - historyLimit) : past, present: next, future: [], gestureBase: null };
}

/** Starts a gesture: the following commits change the present only, until endGesture makes them one entry. */
export function beginGesture<T>(h: History<T>): History<T> {
  return h.gestureBase !== null ? h : { ...h, gestureBase: h.present };
}

export function endGesture<T>(h: History<T>): History<T> {
  const base = h.gestureBase;
  if (base === null) return h;
  const settled = { ...h, gestureBase: null, present: base };
  return commit(settled, h.present);
}

export function undo<T>(h: History<T>): History<T> {
  const settled = endGesture(h);
  const previous = settled.past[settled.past.length - 1];
  if (settled.past.length === 0) return settled;
  return { past: settled.past.slice(0, -1), present: previous as T, future: [settled.present, ...settled.future], gestureBase: null };
}

export function redo<T>(h: History<T>): History<T> {
  const settled = endGesture(h);
  if (settled.future.length === 0) return settled;
  const [next, ...rest] = settled.future;
  return { past: [...settled.past, settled.present], present: next as T, future: rest, gestureBase: null };
}

/** Replaces everything (a reload from the server): nothing to undo into. */
export function reset<T>(present: T): History<T> {
  return start(present);
}

export const canUndo = <T,>(h: History<T>) => h.past.length > 0 || (h.gestureBase !== null && h.gestureBase !== h.present);
export const canRedo = <T,>(h: History<T>) => h.future.length > 0;
