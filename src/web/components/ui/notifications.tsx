// Polite screen-reader announcements and visible toasts, from one store per app so tests never share them.
import { createContext, useContext, useState, useSyncExternalStore, type ReactNode } from 'react';

export type ToastTone = 'warning' | 'danger' | 'success';

export interface Toast {
  id: number;
  tone: ToastTone;
  title: string;
  body: string;
  link?: { to: string; label: string };
  /** A new toast with the same key replaces the old one (one toast per asset), instead of stacking. */
  key?: string;
}

interface State {
  /** The latest few announcements; each new one is a new node so a screen reader reads it even if the text repeats. */
  announcements: { id: number; text: string }[];
  toasts: Toast[];
}

export interface Notifier {
  announce(text: string): void;
  toast(toast: Omit<Toast, 'id'>): void;
  dismiss(id: number): void;
  /** Stops the toast's auto-dismiss countdown while the person reads it (hover or focus inside it; WCAG 2.2.1). */
  pause(id: number): void;
  /** Restarts the countdown with the time that was left. */
  resume(id: number): void;
  subscribe(listener: () => void): () => void;
  getState(): State;
}

const TOAST_MS = 8000;
const KEEP_ANNOUNCEMENTS = 3;
const KEEP_TOASTS = 4;

export function createNotifier(): Notifier {
  let state: State = { announcements: [], toasts: [] };
  let nextId = 1;
  const listeners = new Set<() => void>();
  /** Per toast: its pending auto-dismiss timer (undefined while paused) and the time it still has. */
  const timers = new Map<number, { timer: ReturnType<typeof setTimeout> | undefined; leftMs: number; startedAt: number }>();
  const startTimer = (id: number, ms: number) => {
    timers.set(id, { timer: setTimeout(() => notifier.dismiss(id), ms), leftMs: ms, startedAt: Date.now() });
  };
  const stopTimer = (id: number) => {
    const t = timers.get(id);
    if (t?.timer !== undefined) clearTimeout(t.timer);
    timers.delete(id);
  };
  const set = (next: State) => {
    state = next;
    listeners.forEach((l) => l());
  };
  const notifier: Notifier = {
    announce(text) {
      set({ ...state, announcements: [...state.announcements, { id: nextId++, text }].slice(-KEEP_ANNOUNCEMENTS) });
    },
    toast(toast) {
      const id = nextId++;
      const kept = state.toasts.filter((t) => toast.key === undefined || t.key !== toast.key);
      const toasts = [...kept, { ...toast, id }].slice(-KEEP_TOASTS);
      state.toasts.filter((t) => !toasts.includes(t)).forEach((t) => stopTimer(t.id));
      set({ ...state, toasts });
      startTimer(id, TOAST_MS);
    },
    dismiss(id) {
      stopTimer(id);
      if (state.toasts.some((t) => t.id === id)) set({ ...state, toasts: state.toasts.filter((t) => t.id !== id) });
    },
    pause(id) {
      const t = timers.get(id);
      if (t?.timer === undefined) return;
      clearTimeout(t.timer);
      timers.set(id, { timer: undefined, leftMs: Math.max(0, t.leftMs - (Date.now() - t.startedAt)), startedAt: Date.now() });
    },
    resume(id) {
      const t = timers.get(id);
      if (t && t.timer === undefined) startTimer(id, t.leftMs);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getState: () => state,
  };
  return notifier;
}

const NotifierContext = createContext<Notifier | null>(null);

export function NotificationsProvider({ children }: { children: ReactNode }) {
  const [notifier] = useState(createNotifier);
  return <NotifierContext.Provider value={notifier}>{children}</NotifierContext.Provider>;
}

export function useNotifier(): Notifier {
  const notifier = useContext(NotifierContext);
  if (!notifier) throw new Error('useNotifier needs a NotificationsProvider above it.');
  return notifier;
}

export function useNotifications(): State {
  const notifier = useNotifier();
  return useSyncExternalStore(notifier.subscribe, notifier.getState, notifier.getState);
}
