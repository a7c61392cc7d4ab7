// Polite screen-reader announcements and visible toasts, from one store per app so tests never share them.
import { createContext, useContext, useState, useSyncExternalStore, type ReactNode } from 'react';

export type ToastTone = 'warning' | 'danger' | 'success';

export interface Toast {
  id: number;
  tone: ToastTone;
  title: string;
  body: string;
  link?: { to: string; label: string };
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
      set({ ...state, toasts: [...state.toasts, { ...toast, id }].slice(-KEEP_TOASTS) });
      setTimeout(() => notifier.dismiss(id), TOAST_MS);
    },
    dismiss(id) {
      if (state.toasts.some((t) => t.id === id)) set({ ...state, toasts: state.toasts.filter((t) => t.id !== id) });
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
