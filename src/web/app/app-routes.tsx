// The page's routes, independent of which router (browser or memory) holds the location.
import { lazy } from 'react';
import { Route, Routes } from 'react-router';
import { AppShell } from './app-shell';
import { AssetsRoute } from './routes/assets-route';
import { NewAssetRoute } from './routes/new-asset-route';
import { NotFoundRoute } from './routes/not-found-route';

const AssetDetailRoute = lazy(() => import('./routes/asset-detail-route').then((m) => ({ default: m.AssetDetailRoute })));

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<AppShell />}>
        <Route index element={<AssetsRoute />} />
        <Route path="new" element={<NewAssetRoute />} />
        <Route path="assets/:id" element={<AssetDetailRoute />} />
        <Route path="*" element={<NotFoundRoute />} />
      </Route>
    </Routes>
  );
}
