import { Document, NodeIO } from '@gltf-transform/core';
import { checkGlb } from '../../../src/server/models/glb-check';
import { boxGlb, seededRandom, solidPng, usePipelineModels } from '../helpers/images';
import { chunks, glbFrom } from '../helpers/model-bombs';

const pipelineModels = usePipelineModels();

function withUint32(glb: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = glb.slice();
  new DataView(copy.buffer).setUint32(offset, value, true);
  return copy;
}

async function expectRejected(bytes: Uint8Array, reason: RegExp): Promise<void> {
  const result = await checkGlb(bytes);
  expect(result.ok).toBe(false);
  expect(result.ok ? '' : result.reason).toMatch(reason);
}

describe('checkGlb', () => {
  it("accepts every step's output and counts the triangles drawn", async () => {
    for (const glb of Object.values(pipelineModels())) {
      const result = await checkGlb(glb);
      expect(result.ok).toBe(true);
      expect(result.ok ? result.triangles : 0).toBeGreaterThan(0);
    }
    expect(await checkGlb(await boxGlb(1))).toEqual({ ok: true, triangles: 12 });
  });

  it('rejects files that are not GLB at all, saying what they are', async () => {
    await expectRejected(new Uint8Array(), /empty/);
    await expectRejected(await solidPng(8, 8, { r: 1, g: 2, b: 3 }), /PNG image, not a 3D model/);
    await expectRejected(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), /JPEG image/);
    const doc = new Document();
    doc.createBuffer();
    const { json } = await new NodeIO().writeJSON(doc);
    await expectRejected(new TextEncoder().encode(JSON.stringify(json)), /\.gltf text file/);
    await expectRejected(new TextEncoder().encode('hello, this is text'), /not a GLB model/);
  });

  it('rejects damaged containers: version, declared length, chunk lengths', async () => {
    const good = pipelineModels().geometry;
    await expectRejected(withUint32(good, 4, 1), /version 1/);
    await expectRejected(good.slice(0, good.length - 100), /incomplete or has extra bytes/);
    await expectRejected(new Uint8Array([...good, 0, 0, 0, 0]), /incomplete or has extra bytes/);
    await expectRejected(withUint32(good, 12, good.length), /JSON chunk length/);
    await expectRejected(withUint32(good, 16, 0x12345678), /first chunk is not the JSON chunk/);
    const jsonLength = new DataView(good.buffer, good.byteOffset).getUint32(12, true);
    await expectRejected(withUint32(good, 20 + jsonLength, good.length), /chunk is longer than the file/);
    const badJson = good.slice();
    badJson[20] = 0x7b;
    badJson[21] = 0x7b;
    await expectRejected(badJson, /not valid JSON/);
  });

  it("quotes the validator's errors in plain words", async () => {
    const { json, bin } = chunks(await boxGlb(1));
    const accessors = json['accessors'] as { count: number }[];
    (accessors[0] as { count: number }).count = 100_000;
    const result = await checkGlb(glbFrom(json, bin));
    expect(result.ok).toBe(false);
    const reason = result.ok ? '' : result.reason;
    expect(reason).toMatch(/^The model is not valid glTF 2\.0\. The validator found: /);
    expect(reason).toMatch(/\(at \/accessors\/0\)/);
    expect(reason.split('; ').length).toBeLessThanOrEqual(3);
  });

  it('rejects a valid model whose scene draws no triangles', async () => {
    const doc = new Document();
    doc.getRoot().setDefaultScene(doc.createScene('Empty').addChild(doc.createNode('Nothing')));
    await expectRejected(await new NodeIO().writeBinary(doc), /no triangles/);
  });

  it('never throws on hostile bytes (seeded fuzz: flips, truncations, random data)', async () => {
    const rnd = seededRandom(42);
    const seed = await boxGlb(1);
    const inputs: Uint8Array[] = [];
    for (let i = 0; i < 40; i++) {
      const bytes = seed.slice();
      const flips = 1 + Math.floor(rnd() * 8);
      for (let k = 0; k < flips; k++) bytes[Math.floor(rnd() * bytes.length)] = Math.floor(rnd() * 256);
      inputs.push(bytes);
    }
    for (let i = 0; i < 10; i++) inputs.push(seed.slice(0, Math.floor(rnd() * seed.length)));
    for (let i = 0; i < 10; i++) inputs.push(Uint8Array.from({ length: Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256)));
    // Random bytes behind a correct header, so that the chunk checks are what is exercised.
    for (let i = 0; i < 10; i++) {
      const tail = Uint8Array.from({ length: 8 + Math.floor(rnd() * 100) }, () => Math.floor(rnd() * 256));
      const bytes = new Uint8Array(12 + tail.length);
      const view = new DataView(bytes.buffer);
      view.setUint32(0, 0x46546c67, true);
      view.setUint32(4, 2, true);
      view.setUint32(8, bytes.length, true);
      bytes.set(tail, 12);
      inputs.push(bytes);
    }
    let rejected = 0;
    for (const bytes of inputs) {
      const result = await checkGlb(bytes);
      if (!result.ok) {
        rejected++;
        expect(result.reason.length).toBeGreaterThan(10);
      }
    }
    // Truncations and random data are always rejected; some byte flips land in harmless places.
    expect(rejected).toBeGreaterThanOrEqual(30);
  });
});
