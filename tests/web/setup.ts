// Runs before every web test file: jest-dom matchers, MSW refusing unhandled requests, and a clean slate per test.
import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { createElement } from 'react';
import type * as VersionPreviewModule from '../../src/web/features/assets/components/version-preview';
import { focusManager, onlineManager } from '@tanstack/react-query';
import { clearConditionalCache, setCsrfToken } from '../../src/web/lib/api-client';
import { resetServerTime } from '../../src/web/lib/server-time';
import { server } from './msw-server';

// jsdom has no WebGL: the 3D preview stands in as a labelled viewer with the real one's role, so pages using it
// render without three.js.
vi.mock('../../src/web/features/assets/components/version-preview', async (importOriginal) => {
  const actual = await importOriginal<typeof VersionPreviewModule>();
  return {
    ...actual,
    VersionPreview: ({ assetId, n, label }: { assetId: string; n: number; label: string }) =>
      createElement('div', { role: 'application', 'aria-roledescription': '3D viewer', 'aria-label': label, 'data-url': actual.modelUrl(assetId, n) }),
  };
});

// jsdom has no object URLs; previews only need a string to put in src.
URL.createObjectURL = () => 'blob:preview';
URL.revokeObjectURL = () => undefined;

// jsdom lays nothing out, and its window.scrollTo only logs "Not implemented"; the list's window virtualizer calls
// it to keep positions. Tests that scroll set window.scrollY and dispatch 'scroll' themselves.
window.scrollTo = () => undefined;

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  cleanup();
  server.resetHandlers();
  clearConditionalCache();
  setCsrfToken(null);
  resetServerTime();
  focusManager.setFocused(undefined);
  onlineManager.setOnline(true);
  vi.useRealTimers();
});
afterAll(() => server.close());
