// Runs before every web test file: jest-dom matchers, MSW refusing unhandled requests, and a clean slate per test.
import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { focusManager, onlineManager } from '@tanstack/react-query';
import { clearConditionalCache } from '../../src/web/lib/api-client';
import { resetServerTime } from '../../src/web/lib/server-time';
import { server } from './msw-server';

// jsdom has no object URLs; previews only need a string to put in src.
URL.createObjectURL = () => 'blob:preview';
URL.revokeObjectURL = () => undefined;

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  cleanup();
  server.resetHandlers();
  clearConditionalCache();
  resetServerTime();
  focusManager.setFocused(undefined);
  onlineManager.setOnline(true);
  vi.useRealTimers();
});
afterAll(() => server.close());
