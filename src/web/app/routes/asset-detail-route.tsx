// "/assets/:id": loaded lazily, since this page will grow a 3D preview that the list must not pay for.
import { useParams } from 'react-router';
import { AssetDetail } from '../../features/assets/components/asset-detail';

export function AssetDetailRoute() {
  const { id = '' } = useParams();
  // A fresh detail per id, so nothing of the previous asset lingers while the next loads.
  return <AssetDetail key={id} id={id} />;
}
