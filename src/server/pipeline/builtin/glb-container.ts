// Reads the GLB container (header, JSON chunk, optional BIN chunk) without trusting a byte of it.

const GLB_MAGIC = 0x46546c67; // "glTF"
const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;

export type ContainerResult =
  | { ok: true; json: Record<string, unknown>; /** The BIN chunk's bytes (a view, not a copy), if it has one. */ bin: Uint8Array | null }
  | { ok: false; reason: string };

const startsWith = (bytes: Uint8Array, sig: readonly number[]) => sig.every((b, i) => bytes[i] === b);

/** Whether the bytes start with the GLB signature "glTF" (the cheap first test of an upload). */
export function hasGlbMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x67 && bytes[1] === 0x6c && bytes[2] === 0x54 && bytes[3] === 0x46;
}

function notAGlb(bytes: Uint8Array): string {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47])) return 'This is a PNG image, not a 3D model. Upload the model as a .glb file.';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'This is a JPEG image, not a 3D model. Upload the model as a .glb file.';
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
  if (head.startsWith('{')) {
    return 'This looks like a .gltf text file. Upload a single binary .glb file instead: it carries its buffers and textures inside.';
  }
  return 'This file is not a GLB model: it does not start with the binary glTF signature. Export the model as .glb and upload that.';
}

/** Checks the container's structure; the JSON is parsed but not validated (that is the Khronos validator's job). */
export function readContainer(bytes: Uint8Array): ContainerResult {
  try {
    if (bytes.byteLength < 12) {
      return { ok: false, reason: bytes.byteLength === 0 ? 'The file is empty.' : notAGlb(bytes) };
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0, true) !== GLB_MAGIC) return { ok: false, reason: notAGlb(bytes) };
    const version = view.getUint32(4, true);
    if (version !== 2) {
      return { ok: false, reason: `This GLB uses glTF version ${version}; only glTF 2.0 models are supported. Export it again as glTF 2.0.` };
    }
    const declared = view.getUint32(8, true);
    if (declared !== bytes.byteLength) {
      return {
        ok: false,
        reason: `The file is incomplete or has extra bytes: its header says ${declared} bytes but it has ${bytes.byteLength}. It may have been cut off; export and upload it again.`,
      };
    }
    const damaged = (what: string) => ({ ok: false as const, reason: `The file is damaged: ${what}. Export the model again as .glb.` });
    if (bytes.byteLength < 20) return damaged('it has no JSON chunk');
    const jsonLength = view.getUint32(12, true);
    if (view.getUint32(16, true) !== CHUNK_JSON) return damaged('its first chunk is not the JSON chunk');
    if (jsonLength === 0 || 20 + jsonLength > bytes.byteLength) return damaged('its JSON chunk length is wrong');
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(20, 20 + jsonLength)));
    } catch {
      return damaged('its JSON chunk is not valid JSON');
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return damaged('its JSON chunk is not a glTF object');
    let offset = 20 + jsonLength;
    let bin: Uint8Array | null = null;
    let chunkIndex = 1;
    while (offset < bytes.byteLength) {
      if (offset + 8 > bytes.byteLength) return damaged('it ends in the middle of a chunk header');
      const length = view.getUint32(offset, true);
      const type = view.getUint32(offset + 4, true);
      if (offset + 8 + length > bytes.byteLength) return damaged('a chunk is longer than the file');
      if (type === CHUNK_BIN) {
        if (chunkIndex !== 1) return damaged('its binary chunk is not the second chunk');
        bin = bytes.subarray(offset + 8, offset + 8 + length);
      }
      offset += 8 + length;
      chunkIndex++;
    }
    return { ok: true, json: json as Record<string, unknown>, bin };
  } catch {
    return { ok: false, reason: 'The file could not be read as a GLB model.' };
  }
}
