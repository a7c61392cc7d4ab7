// Whether this browser can give us a WebGL context at all: asked once, by really making one and letting it go.
let cached: boolean | undefined;

export function hasWebGL(): boolean {
  if (cached !== undefined) return cached;
  try {
    const canvas = document.createElement('canvas');
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    // Browsers cap live contexts (about 16 in Chromium), so the probe must not hold on to one.
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
    cached = gl !== null;
  } catch {
    // Some browsers (and test DOMs) throw instead of returning null when WebGL is blocked.
    cached = false;
  }
  return cached;
}

/** For tests that switch between a browser with and without WebGL. */
export function resetWebGLProbe(): void {
  cached = undefined;
}
