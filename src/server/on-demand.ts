// The heavy libraries that only uploads and thumbnails need, loaded on first use (downloads convert in worker
// threads). A server that lists and answers polls never pays for them: together (sharp with libvips, the Khronos
// validator, glTF-Transform's functions) they are about 50 MB of resident memory and most of the start-up time.

/** `load` runs once; every caller gets its one promise. A failed load is not kept: the next caller asks again. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    }));
}

export const loadSharp = once(() => import('sharp').then((m) => m.default));
export const loadGlbCheck = once(() => import('./models/glb-check'));
