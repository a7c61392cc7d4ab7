// Keeps a loaded list up to date at the cost of polling its first page (see api/list-sync.ts): the first page's
// changes go straight into the list; later pages are asked again only while on screen, on each poll (conditional
// requests, so mostly 304s) and when the first page has changed since they were fetched.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { assetKeys } from '../api/asset-keys';
import type { AssetListParams } from '../api/list-params';
import { putPage, refreshPages, type ListData, type LoadedPages } from '../api/list-sync';
import { useAssetListHead } from '../api/use-assets';

interface SyncState {
  /** Bumped whenever the first page changes: a later page fetched before the latest bump may be out of date. */
  headVersion: number;
  /** The headVersion each later page was last fetched at. */
  fetchedAt: Map<number, number>;
  knownPages: number;
  lastTick: number;
  /** The first page last put into the list: a cached head older than the list (a page shown again) is not. */
  lastHead: unknown;
  running: boolean;
  again: boolean;
}

export interface LoadedList {
  params: AssetListParams;
  data: LoadedPages;
  loadedAt: number;
  /** The list was fetched for this view rather than shown from the cache. */
  justFetched: boolean;
}

export function useListFreshness({ params, data: list, loadedAt, justFetched }: LoadedList, visiblePages: readonly number[]): void {
  const queryClient = useQueryClient();
  const head = useAssetListHead(params, list, loadedAt, justFetched);
  const sync = useRef<SyncState>({ headVersion: 0, fetchedAt: new Map(), knownPages: list.pages.length, lastTick: head.dataUpdatedAt, lastHead: head.data, running: false, again: false });
  const visible = useRef(visiblePages);
  const abort = useRef<AbortController | null>(null);

  useEffect(() => {
    visible.current = visiblePages;
  });

  useEffect(() => {
    const controller = new AbortController();
    abort.current = controller;
    return () => controller.abort();
  }, []);

  // Pages loaded by scrolling are as fresh as the first page.
  const pageCount = list.pages.length;
  useEffect(() => {
    const s = sync.current;
    for (let i = s.knownPages; i < pageCount; i++) s.fetchedAt.set(i, s.headVersion);
    s.knownPages = pageCount;
  }, [pageCount]);

  const headData = head.data;
  useEffect(() => {
    const key = assetKeys.list(params);
    const current = queryClient.getQueryData<ListData>(key);
    if (!headData || headData === sync.current.lastHead) return;
    sync.current.lastHead = headData;
    if (!current || current.pages[0] === headData) return;
    sync.current.headVersion += 1;
    queryClient.setQueryData<ListData>(key, putPage(current, 0, headData).data);
  }, [headData, params, queryClient]);

  const tick = head.dataUpdatedAt;
  const visibleKey = visiblePages.join(',');
  useEffect(() => {
    const s = sync.current;
    const polled = tick !== s.lastTick;
    s.lastTick = tick;
    if (s.running) {
      s.again = true;
      return;
    }
    const run = async (movingToo: boolean) => {
      const data = queryClient.getQueryData<ListData>(assetKeys.list(params));
      if (!data) return;
      const due = visible.current.filter((i) => {
        const page = data.pages[i];
        if (i === 0 || !page) return false;
        // On every poll, each later page on screen is asked again too: the server's ETags are per page, so a change
        // on page 3 does not move the first page's tag. Unchanged pages answer 304, which costs next to nothing.
        return (s.fetchedAt.get(i) ?? -1) < s.headVersion || movingToo;
      });
      if (due.length === 0) return;
      s.running = true;
      try {
        const version = s.headVersion;
        const signal = abort.current?.signal;
        const shifted = await refreshPages(queryClient, params, due, signal);
        for (const i of due) s.fetchedAt.set(i, version);
        // The page after a moved boundary now has a new cursor and must be fetched again.
        for (const i of shifted) s.fetchedAt.set(i + 1, -1);
      } catch {
        // The head query's own polls show a lost connection; this tries again with the next one.
      } finally {
        s.running = false;
      }
      if (s.again && !abort.current?.signal.aborted) {
        s.again = false;
        await run(false);
      }
    };
    void run(polled);
    // visibleKey stands for visiblePages, read through the ref so a run started earlier sees the latest.
  }, [tick, visibleKey, params, queryClient]);
}
