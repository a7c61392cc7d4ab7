// The asset's thumbnail, or a neutral placeholder while it has none. The backdrop matches the light grey the
// server renders thumbnails on, so a square thumbnail sits seamlessly in a wider frame.
import { CubeIcon } from '../../../components/ui/icons';

export function AssetThumbnail({ url, className = '' }: { url: string | null; className?: string }) {
  return (
    <div className={`relative flex items-center justify-center overflow-hidden bg-zinc-100 ${className}`}>
      {url ? (
        // The name sits right next to it, so the picture adds nothing for a screen reader.
        <img src={url} alt="" loading="lazy" decoding="async" className="absolute inset-0 size-full object-contain" />
      ) : (
        <CubeIcon className="size-8 text-zinc-300 sm:size-10" />
      )}
    </div>
  );
}
