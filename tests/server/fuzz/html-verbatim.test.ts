// Names and notes holding HTML or script are data, not markup: the API stores them and returns them verbatim as
// JSON strings (the page renders them as text; its side is tested with the page).
import { AssetListSchema } from '../../../src/contract/api';
import { AssetSchema } from '../../../src/contract/asset';
import { objectPng } from '../helpers/test-app';
import { makeHarness, multipartBody, type Harness } from './fuzz-kit';

const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '<script>alert("xss")</script>',
  '"><svg/onload=alert(1)>',
  "</script><script>alert('x')</script>",
  '<a href="javascript:alert(1)">click</a>',
  '{{constructor.constructor("alert(1)")()}}',
  '&lt;b&gt;already escaped&lt;/b&gt;',
  '<!-- --><style>*{display:none}</style>',
] as const;

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(async () => {
  h.report('html-verbatim');
  await h.close();
});

/** The raw body holds the text as one JSON string, exactly as JSON.stringify writes it (no HTML escaping). */
function expectJsonString(body: string, text: string): void {
  expect(body).toContain(JSON.stringify(text));
}

describe('HTML and script in names and notes', () => {
  it.each(HOSTILE)('stores and returns the name %s verbatim', async (name) => {
    const form = multipartBody([
      { field: 'name', bytes: name },
      { field: 'images', filename: `${name}.png`, type: 'image/png', bytes: await objectPng(48) },
    ]);
    await h.send('POST /assets (html)', { method: 'POST', url: '/api/assets', headers: { 'content-type': form.contentType }, payload: form.payload }, {
      status: 201,
      mutates: true,
      async check(res) {
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        const created = AssetSchema.parse(res.json());
        expect(created.name).toBe(name);
        expectJsonString(res.body, name);

        const got = await h.t.app.inject({ method: 'GET', url: `/api/assets/${created.id}` });
        expect(AssetSchema.parse(got.json()).name).toBe(name);
        expectJsonString(got.body, name);

        const listed = await h.t.app.inject({ method: 'GET', url: `/api/assets?q=${encodeURIComponent(name)}` });
        const list = AssetListSchema.parse(listed.json());
        expect(list.items.find((a) => a.id === created.id)?.name).toBe(name);
        expectJsonString(listed.body, name);
      },
    });
  });

  it.each(HOSTILE)('stores and returns the revision note %s verbatim', async (note) => {
    await h.send(
      'POST revisions (html)',
      { method: 'POST', url: `/api/assets/${h.ids.review}/revisions`, payload: { note } },
      {
        status: 200,
        mutates: true,
        async check(res) {
          expect(res.headers['content-type']).toMatch(/^application\/json/);
          const updated = AssetSchema.parse(res.json());
          expect(updated.revisions.at(-1)?.note).toBe(note);
          expectJsonString(res.body, note);
          const got = await h.t.app.inject({ method: 'GET', url: `/api/assets/${updated.id}` });
          expect(AssetSchema.parse(got.json()).revisions.at(-1)?.note).toBe(note);
          expectJsonString(got.body, note);
        },
      },
      'review',
    );
  });

  it('sends a seeded HTML name as a JSON string, and as a download name with nothing left to inject', async () => {
    // The "approved" fixture is named <img src=x onerror=alert(1)>.
    const got = await h.send('GET /assets/:id (html)', { method: 'GET', url: `/api/assets/${h.ids.approved}` }, { status: 200 });
    expectJsonString(got.body, '<img src=x onerror=alert(1)>');
    const dl = await h.send('GET download (html)', { method: 'GET', url: `/api/assets/${h.ids.approved}/download` }, { status: 200 });
    expect(dl.headers['content-disposition']).toBe(
      // < and > are not allowed in file names on every system, so they become _; the rest is percent-encoded.
      `attachment; filename="img-src-x-onerror-alert-1.glb"; filename*=UTF-8''_img%20src%3Dx%20onerror%3Dalert%281%29_.glb`,
    );
  });
});
