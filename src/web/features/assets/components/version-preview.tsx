// The 3D preview of one version, loaded only when an asset's page shows it, so three.js never weighs on the list.
import { Component, lazy, Suspense, type ReactNode } from 'react';
import { CubeIcon } from '../../../components/ui/icons';

const ModelPreview = lazy(() => import('./model-preview/model-preview').then((m) => ({ default: m.ModelPreview })));

export function modelUrl(assetId: string, n: number): string {
  return `/api/assets/${encodeURIComponent(assetId)}/versions/${n}/model.glb`;
}

function Placeholder({ children, short = false }: { children: ReactNode; short?: boolean }) {
  return (
    <div className={`flex ${short ? 'aspect-[16/7]' : 'aspect-[4/3]'} w-full flex-col items-center justify-center gap-2 rounded-lg bg-zinc-100 p-6 text-center text-sm text-zinc-600`}>
      <CubeIcon className="size-10 text-zinc-300" />
      {children}
    </div>
  );
}

/** A failed chunk load (deploy in between, offline) leaves a readable note instead of breaking the page. */
class PreviewBoundary extends Component<{ children: ReactNode; resetKey: string }, { failed: boolean; resetKey: string }> {
  override state = { failed: false, resetKey: this.props.resetKey };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  static getDerivedStateFromProps(props: { resetKey: string }, state: { resetKey: string }) {
    return props.resetKey !== state.resetKey ? { failed: false, resetKey: props.resetKey } : null;
  }

  override render() {
    if (this.state.failed) return <Placeholder>The 3D preview could not be loaded. Downloading the model still works.</Placeholder>;
    return this.props.children;
  }
}

export function VersionPreview({ assetId, n, label }: { assetId: string; n: number; label: string }) {
  const url = modelUrl(assetId, n);
  return (
    <PreviewBoundary resetKey={url}>
      <Suspense
        fallback={
          <Placeholder>
            <span role="status">Loading 3D preview…</span>
          </Placeholder>
        }
      >
        <ModelPreview url={url} label={label} />
      </Suspense>
    </PreviewBoundary>
  );
}

/** Where there is no version yet (the first step is still running, or it failed). */
export function NoPreview({ children }: { children: ReactNode }) {
  return <Placeholder short>{children}</Placeholder>;
}
