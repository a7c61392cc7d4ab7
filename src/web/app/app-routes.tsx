// The page's routes, independent of which router (browser or memory) holds the location. Everything but the
// sign-in page waits for the session; pages the list never needs are loaded lazily.
import { lazy } from 'react';
import { Route, Routes } from 'react-router';
import { AppShell } from './app-shell';
import { RequireSession } from './require-session';
import { AssetsRoute } from './routes/assets-route';
import { NotFoundRoute } from './routes/not-found-route';

const AssetDetailRoute = lazy(() => import('./routes/asset-detail-route').then((m) => ({ default: m.AssetDetailRoute })));
const NewAssetRoute = lazy(() => import('./routes/new-asset-route').then((m) => ({ default: m.NewAssetRoute })));
const SignInRoute = lazy(() => import('./routes/sign-in-route').then((m) => ({ default: m.SignInRoute })));
const AccountRoute = lazy(() => import('./routes/account-route').then((m) => ({ default: m.AccountRoute })));
const UsersRoute = lazy(() => import('./routes/users-route').then((m) => ({ default: m.UsersRoute })));

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<AppShell />}>
        <Route path="sign-in" element={<SignInRoute />} />
        <Route element={<RequireSession />}>
          <Route index element={<AssetsRoute />} />
          <Route path="new" element={<NewAssetRoute />} />
          <Route path="assets/:id" element={<AssetDetailRoute />} />
          <Route path="account" element={<AccountRoute />} />
          <Route path="users" element={<UsersRoute />} />
          <Route path="*" element={<NotFoundRoute />} />
        </Route>
      </Route>
    </Routes>
  );
}
