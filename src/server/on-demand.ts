// sharp, which only image uploads and thumbnails need, loaded on first use (model checks and downloads run in
// worker threads, which load the Khronos validator and glTF-Transform themselves). A server that lists and answers
// polls never pays for it.

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
