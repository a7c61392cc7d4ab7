// The preview where the browser has no WebGL (as jsdom): a readable message, and the model's numbers read from the GLB.
import { render, screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { ModelPreview } from '../../../src/web/features/assets/components/model-preview/model-preview';
import { resetWebGLProbe } from '../../../src/web/features/assets/components/model-preview/webgl-support';
import { server } from '../msw-server';
import { boxGlb } from './make-glb';

const URL_V1 = '/api/assets/a1/versions/1/model.glb';

beforeEach(() => {
  // jsdom would print "not implemented" for every probe; a browser without WebGL answers null.
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
  resetWebGLProbe();
});
afterEach(() => {
  vi.restoreAllMocks();
  resetWebGLProbe();
});

function serveGlb(bytes: Uint8Array) {
  server.use(http.get(URL_V1, () => HttpResponse.arrayBuffer(bytes.slice().buffer, { headers: { 'content-type': 'model/gltf-binary' } })));
}

describe('ModelPreview without WebGL', () => {
  it('says why there is no 3D view and still lists the triangles, vertices and size', async () => {
    serveGlb(await boxGlb([0.62, 1, 0.31]));
    render(<ModelPreview url={URL_V1} label="3D preview of Ceramic vase, version 1" />);

    const region = screen.getByRole('group', { name: '3D preview of Ceramic vase, version 1' });
    expect(region).toHaveTextContent("3D preview needs WebGL, which this browser doesn't offer.");
    expect(await screen.findByText('0.62 × 1.00 × 0.31 m')).toBeInTheDocument();
    expect(screen.getByText('Triangles').nextElementSibling).toHaveTextContent('12');
    expect(screen.getByText('Vertices').nextElementSibling).toHaveTextContent('8');
    // No canvas, and no controls that could do nothing.
    expect(document.querySelector('canvas')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Wireframe' })).not.toBeInTheDocument();
  });

  it('keeps the message and explains when the file cannot be read either', async () => {
    server.use(http.get(URL_V1, () => new HttpResponse(null, { status: 404 })));
    render(<ModelPreview url={URL_V1} label="3D preview" />);
    expect(screen.getByText("3D preview needs WebGL, which this browser doesn't offer.")).toBeInTheDocument();
    expect(await screen.findByText(/couldn't be read either: This version's file was not found/)).toBeInTheDocument();
  });
});
