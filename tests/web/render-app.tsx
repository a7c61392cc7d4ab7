// Renders the whole page at a route, with a fresh QueryClient (no retries) and a MemoryRouter, as a person would see it.
import { QueryClient } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, useLocation, useNavigate, type Location, type NavigateFunction } from 'react-router';
import { AppRoutes } from '../../src/web/app/app-routes';
import { AppProviders } from '../../src/web/app/providers';
import { server } from './msw-server';
import { createMockApi, type MockApi } from './mock-api';
import type { Asset } from '../../src/contract/asset';

export function renderApp(route = '/') {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const current: { location: Location | null; navigate: NavigateFunction | null } = { location: null, navigate: null };
  function LocationProbe() {
    current.location = useLocation();
    current.navigate = useNavigate();
    return null;
  }
  // A person choosing "All files" in the picker can hand the page any file, whatever the input's accept says.
  const user = userEvent.setup({ applyAccept: false, ...(vi.isFakeTimers() ? { advanceTimers: vi.advanceTimersByTime } : {}) });
  const view = render(
    <MemoryRouter initialEntries={[route]}>
      <AppProviders queryClient={queryClient}>
        <AppRoutes />
        <LocationProbe />
      </AppProviders>
    </MemoryRouter>,
  );
  return {
    ...view,
    user,
    queryClient,
    location(): Location {
      if (!current.location) throw new Error('The router has not rendered yet.');
      return current.location;
    },
    /** Moves through the router's history, as the browser's back and forward buttons do. */
    navigate(delta: number): void {
      if (!current.navigate) throw new Error('The router has not rendered yet.');
      void current.navigate(delta);
    },
  };
}

/** Starts a mock API holding `assets` and installs it for this test. */
export function installMockApi(assets: Asset[] = []): MockApi {
  const api = createMockApi(assets);
  server.use(...api.handlers);
  return api;
}
