// The preview's controls and states with WebGL present: the three.js scene is replaced by a recorder (jsdom cannot
// draw), so these tests check what a person can reach — names, pressed states, keys, loading, errors, version swaps.
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import type { Object3D } from 'three';
import { ModelPreview } from '../../../src/web/features/assets/components/model-preview/model-preview';
import { server } from '../msw-server';
import { boxGlb } from './make-glb';

interface FakeScene {
  canvas: HTMLCanvasElement;
  setModel: ReturnType<typeof vi.fn<(model: Object3D) => void>>;
  setWireframe: ReturnType<typeof vi.fn<(on: boolean) => void>>;
  setSize: ReturnType<typeof vi.fn>;
  resetView: ReturnType<typeof vi.fn>;
  rotate: ReturnType<typeof vi.fn<(azimuth: number, polar: number) => void>>;
  zoom: ReturnType<typeof vi.fn<(steps: number) => void>>;
  dispose: ReturnType<typeof vi.fn>;
}

const scenes = vi.hoisted(() => [] as FakeScene[]);

vi.mock('../../../src/web/features/assets/components/model-preview/webgl-support', () => ({ hasWebGL: () => true }));
vi.mock('../../../src/web/features/assets/components/model-preview/preview-scene', () => ({
  disposeObject: () => undefined,
  // Called with `new` by the component; returning an object from a constructor makes that object the instance.
  PreviewScene: vi.fn(function FakePreviewScene() {
    const scene: FakeScene = {
      canvas: document.createElement('canvas'),
      setModel: vi.fn(),
      setWireframe: vi.fn(),
      setSize: vi.fn(),
      resetView: vi.fn(),
      rotate: vi.fn(),
      zoom: vi.fn(),
      dispose: vi.fn(),
    };
    scenes.push(scene);
    return scene;
  }),
}));

const LABEL = '3D preview of Ceramic vase, version 3';
const url = (n: number) => `/api/assets/a1/versions/${n}/model.glb`;

beforeEach(() => {
  scenes.length = 0;
  vi.stubGlobal(
    'ResizeObserver',
    class {
      observe() {}
      unobserve() {}
      disconnect() {}
    },
  );
});
afterEach(() => vi.unstubAllGlobals());

async function serve(n: number, size: [number, number, number] = [0.62, 1, 0.31]) {
  const bytes = await boxGlb(size);
  server.use(http.get(url(n), () => HttpResponse.arrayBuffer(bytes.slice().buffer)));
}

function currentScene(): FakeScene {
  const scene = scenes.at(-1);
  if (!scene) throw new Error('No scene was made.');
  return scene;
}

describe('ModelPreview with WebGL', () => {
  it('shows a loading state, then the model with its stats, in a focusable viewer named by the label', async () => {
    await serve(3);
    render(<ModelPreview url={url(3)} label={LABEL} />);
    expect(screen.getByRole('status')).toHaveTextContent('Loading 3D preview…');

    expect(await screen.findByText('0.62 × 1.00 × 0.31 m')).toBeInTheDocument();
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
    expect(screen.getByText('Triangles').nextElementSibling).toHaveTextContent('12');
    expect(currentScene().setModel).toHaveBeenCalledTimes(1);

    const viewer = screen.getByRole('application', { name: LABEL });
    expect(viewer).toHaveAttribute('aria-roledescription', '3D viewer');
    expect(viewer).toHaveAttribute('tabindex', '0');
    expect(viewer).toHaveAccessibleDescription('Drag or use arrow keys to rotate, + and − to zoom');
    expect(viewer).toContainElement(currentScene().canvas);
  });

  it('has Reset view and a Wireframe toggle whose pressed state follows each click', async () => {
    await serve(3);
    const user = userEvent.setup();
    render(<ModelPreview url={url(3)} label={LABEL} />);
    await screen.findByText('0.62 × 1.00 × 0.31 m');

    const wireframe = screen.getByRole('button', { name: 'Wireframe' });
    expect(wireframe).toHaveAttribute('aria-pressed', 'false');
    await user.click(wireframe);
    expect(wireframe).toHaveAttribute('aria-pressed', 'true');
    expect(currentScene().setWireframe).toHaveBeenLastCalledWith(true);
    await user.click(wireframe);
    expect(wireframe).toHaveAttribute('aria-pressed', 'false');
    expect(currentScene().setWireframe).toHaveBeenLastCalledWith(false);

    await user.click(screen.getByRole('button', { name: 'Reset view' }));
    expect(currentScene().resetView).toHaveBeenCalledTimes(1);
  });

  it('turns with the arrow keys, zooms with + and −, and resets with 0 or Home', async () => {
    await serve(3);
    const user = userEvent.setup();
    render(<ModelPreview url={url(3)} label={LABEL} />);
    await screen.findByText('0.62 × 1.00 × 0.31 m');

    await user.tab();
    expect(screen.getByRole('application', { name: LABEL })).toHaveFocus();
    const scene = currentScene();
    await user.keyboard('{ArrowLeft}{ArrowRight}{ArrowUp}{ArrowDown}');
    expect(scene.rotate.mock.calls).toEqual([
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ]);
    await user.keyboard('+-');
    expect(scene.zoom.mock.calls).toEqual([[1], [-1]]);
    await user.keyboard('0{Home}');
    expect(scene.resetView).toHaveBeenCalledTimes(2);
    // Other keys go on to the page.
    await user.keyboard('a');
    expect(scene.rotate).toHaveBeenCalledTimes(4);
  });

  it('says when the model could not be loaded and loads it again on "Try again"', async () => {
    let requests = 0;
    const bytes = await boxGlb([1, 2, 3]);
    server.use(
      http.get(url(3), () => {
        requests += 1;
        return requests === 1 ? new HttpResponse(null, { status: 500 }) : HttpResponse.arrayBuffer(bytes.slice().buffer);
      }),
    );
    const user = userEvent.setup();
    render(<ModelPreview url={url(3)} label={LABEL} />);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent("Couldn't load this model");
    expect(alert).toHaveTextContent('The server answered 500 for this model.');
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('1.00 × 2.00 × 3.00 m')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('says a file that is not a GLB cannot be read', async () => {
    server.use(http.get(url(3), () => HttpResponse.text('not a model')));
    render(<ModelPreview url={url(3)} label={LABEL} />);
    expect(await screen.findByRole('alert')).toHaveTextContent('The file is not a readable GLB model.');
  });

  it('swaps versions inside the same renderer and disposes it on unmount', async () => {
    await serve(3);
    await serve(4, [2, 2, 2]);
    const view = render(<ModelPreview url={url(3)} label={LABEL} />);
    await screen.findByText('0.62 × 1.00 × 0.31 m');

    view.rerender(<ModelPreview url={url(4)} label="3D preview of Ceramic vase, version 4" />);
    // The old numbers go at once: they belong to the other version.
    expect(screen.queryByText('0.62 × 1.00 × 0.31 m')).not.toBeInTheDocument();
    expect(await screen.findByText('2.00 × 2.00 × 2.00 m')).toBeInTheDocument();
    expect(scenes).toHaveLength(1);
    expect(currentScene().setModel).toHaveBeenCalledTimes(2);

    view.unmount();
    await waitFor(() => expect(currentScene().dispose).toHaveBeenCalledTimes(1));
  });
});
