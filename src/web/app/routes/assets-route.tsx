// "/": the list of assets.
import { AssetList } from '../../features/assets/components/asset-list';

export function AssetsRoute() {
  return (
    <>
      <title>Assets · Asset Forge</title>
      <AssetList />
    </>
  );
}
