// Fetches a version's GLB and turns it into three.js objects; used both for drawing and for the no-WebGL stats.
import type { Group } from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

/**
 * We fetch the bytes ourselves rather than let GLTFLoader do it, so a version switch can abort the download and an
 * HTTP error is told apart from a broken file. Plain GLTFLoader ignores MSFT_lod, so only LOD0 is built — on purpose.
 */
export async function loadModel(url: string, signal: AbortSignal): Promise<Group> {
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new ModelLoadError('The model could not be downloaded. Check your connection.');
  }
  if (response.status === 404) throw new ModelLoadError("This version's file was not found on the server.");
  if (!response.ok) throw new ModelLoadError(`The server answered ${response.status} for this model.`);
  const bytes = await response.arrayBuffer();
  signal.throwIfAborted();
  try {
    const gltf = await new GLTFLoader().parseAsync(bytes, '');
    return gltf.scene;
  } catch {
    throw new ModelLoadError('The file is not a readable GLB model.');
  }
}
