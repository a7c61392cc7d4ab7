// The asset view's 3D preview of one version's GLB: orbit, zoom, reset, wireframe, stats, and a text fallback
// without WebGL. The detail page lazy-loads this file, so three.js stays out of the list page's bundle.
import { useEffect, useId, useRef, useState, type JSX, type KeyboardEvent } from 'react';
import { AlertIcon, CubeIcon, ResetViewIcon, RetryIcon } from '../../../../components/ui/icons';
import { buttonStyles } from '../../../../components/ui/styles';
import { loadModel, ModelLoadError } from './load-model';
import { computeModelStats, formatCount, formatDimensions, type ModelStats } from './model-stats';
import { disposeObject, PreviewScene } from './preview-scene';
import { hasWebGL } from './webgl-support';

export interface ModelPreviewProps {
  /** URL of the GLB, e.g. /api/assets/:id/versions/:n/model.glb (immutable per version). */
  url: string;
  /** Accessible name for the viewer, e.g. "3D preview of Ceramic vase, version 3". */
  label: string;
}

type LoadResult = { key: string; stats: ModelStats } | { key: string; error: string };

const HINT = 'Drag or use arrow keys to rotate, + and − to zoom';

function prefersReducedMotion(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/** Arrow keys orbit, + and − zoom, 0 or Home resets; anything else is left to the browser. */
function keyAction(key: string): ((scene: PreviewScene) => void) | null {
  switch (key) {
    case 'ArrowLeft':
      return (s) => s.rotate(1, 0);
    case 'ArrowRight':
      return (s) => s.rotate(-1, 0);
    case 'ArrowUp':
      return (s) => s.rotate(0, 1);
    case 'ArrowDown':
      return (s) => s.rotate(0, -1);
    case '+':
    case '=':
    case 'Add':
      return (s) => s.zoom(1);
    case '-':
    case '−':
    case '_':
    case 'Subtract':
      return (s) => s.zoom(-1);
    case '0':
    case 'Home':
      return (s) => s.resetView();
    default:
      return null;
  }
}

export function ModelPreview({ url, label }: ModelPreviewProps): JSX.Element {
  const [webgl] = useState(hasWebGL);
  const [attempt, setAttempt] = useState(0);
  const [result, setResult] = useState<LoadResult | null>(null);
  const [wireframe, setWireframe] = useState(false);
  const viewportRef = useRef<HTMLDivElement>(null);
  const sceneRef = useRef<PreviewScene | null>(null);
  const hintId = useId();

  // One renderer for the component's life; switching versions only swaps the model inside it.
  useEffect(() => {
    const viewport = viewportRef.current;
    if (!webgl || !viewport) return;
    const scene = new PreviewScene({ reducedMotion: prefersReducedMotion() });
    sceneRef.current = scene;
    viewport.append(scene.canvas);
    const observer = new ResizeObserver(([entry]) => {
      if (entry) scene.setSize(entry.contentRect.width, entry.contentRect.height);
    });
    observer.observe(viewport);
    return () => {
      observer.disconnect();
      scene.dispose();
      sceneRef.current = null;
    };
  }, [webgl]);

  // Keyed by url and attempt, so a stale answer never shows and "loading" needs no state of its own.
  const key = `${attempt}:${url}`;
  useEffect(() => {
    const controller = new AbortController();
    const scene = sceneRef.current;
    loadModel(url, controller.signal).then(
      (model) => {
        if (controller.signal.aborted) {
          disposeObject(model);
          return;
        }
        const stats = computeModelStats(model);
        // Without WebGL the model is only read for its numbers.
        if (scene) scene.setModel(model);
        else disposeObject(model);
        setResult({ key, stats });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setResult({ key, error: error instanceof ModelLoadError ? error.message : 'Something went wrong while reading it.' });
      },
    );
    return () => controller.abort();
  }, [url, key]);

  useEffect(() => {
    sceneRef.current?.setWireframe(wireframe);
  }, [wireframe]);

  const current = result?.key === key ? result : null;
  const stats = current && 'stats' in current ? current.stats : null;
  const error = current && 'error' in current ? current.error : null;
  const retry = () => setAttempt((n) => n + 1);

  if (!webgl) {
    return (
      <div role="group" aria-label={label} className="flex flex-col gap-3 rounded-xl border border-zinc-200 bg-white p-5">
        <p className="text-sm text-zinc-700">3D preview needs WebGL, which this browser doesn't offer.</p>
        {stats && <StatsList stats={stats} />}
        {error && <p className="text-sm text-zinc-600">The model's details couldn't be read either: {error}</p>}
      </div>
    );
  }

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const action = keyAction(event.key);
    const scene = sceneRef.current;
    if (!action || !scene || event.altKey || event.ctrlKey || event.metaKey) return;
    // Arrow keys and Home would otherwise scroll the page under the model.
    event.preventDefault();
    action(scene);
  };

  return (
    <div className="flex min-w-0 flex-col overflow-hidden rounded-xl border border-zinc-200 bg-white">
      <div className="relative aspect-square w-full bg-[radial-gradient(ellipse_at_50%_40%,#ffffff_0%,#f4f4f5_60%,#e4e4e7_100%)] sm:aspect-[4/3]">
        <div
          ref={viewportRef}
          // A keyboard widget of its own (arrows turn, +/− zoom), so screen readers pass those keys through to it.
          role="application"
          aria-roledescription="3D viewer"
          aria-label={label}
          aria-describedby={hintId}
          tabIndex={0}
          onKeyDown={onKeyDown}
          className="absolute inset-0 cursor-grab overflow-hidden active:cursor-grabbing focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-600"
        />
        {!current && (
          <div role="status" className="pointer-events-none absolute inset-0 flex flex-col items-center justify-center gap-3 bg-white/60 text-sm text-zinc-700">
            <span aria-hidden="true" className="size-8 animate-spin rounded-full border-2 border-zinc-300 border-t-indigo-600 motion-reduce:animate-none" />
            Loading 3D preview…
          </div>
        )}
        {error && (
          <div role="alert" className="absolute inset-0 flex flex-col items-center justify-center bg-white px-6 text-center">
            <span className="flex size-10 items-center justify-center rounded-full bg-red-50 text-red-700">
              <AlertIcon className="size-5" />
            </span>
            <p className="mt-3 text-sm font-semibold text-zinc-900">Couldn't load this model</p>
            <p className="mt-1 max-w-sm text-sm text-zinc-600">{error}</p>
            <button type="button" onClick={retry} className={`${buttonStyles.secondary} mt-4`}>
              <RetryIcon />
              Try again
            </button>
          </div>
        )}
      </div>
      <div className="flex flex-col gap-2 border-t border-zinc-200 px-3 py-2.5 sm:flex-row sm:items-center sm:justify-between sm:gap-4">
        <div role="group" aria-label="View controls" className="flex flex-wrap gap-2">
          <button type="button" className={buttonStyles.secondary} onClick={() => sceneRef.current?.resetView()}>
            <ResetViewIcon />
            Reset view
          </button>
          <button
            type="button"
            aria-pressed={wireframe}
            className={`${buttonStyles.secondary} aria-pressed:border-indigo-300 aria-pressed:bg-indigo-50 aria-pressed:text-indigo-800`}
            onClick={() => setWireframe((on) => !on)}
          >
            <CubeIcon />
            Wireframe
          </button>
        </div>
        {stats ? <StatsList stats={stats} /> : <span className="text-xs text-zinc-500 sm:text-right">{error ? '' : 'Reading model…'}</span>}
      </div>
      <p id={hintId} className="border-t border-zinc-100 px-3 py-2 text-xs text-zinc-500">
        {HINT}
      </p>
    </div>
  );
}

function StatsList({ stats }: { stats: ModelStats }) {
  const items: [string, string][] = [
    ['Triangles', formatCount(stats.triangles)],
    ['Vertices', formatCount(stats.vertices)],
    ['Size', formatDimensions(stats.size)],
  ];
  return (
    <dl className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-600">
      {items.map(([term, value]) => (
        <div key={term} className="flex gap-1.5">
          <dt>{term}</dt>
          <dd className="font-medium text-zinc-900 tabular-nums">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
