// Downloads an asset's model in a chosen format through the API client, so that a refusal (a conversion that is
// too heavy, too many at once, the server busy) is shown next to the button instead of replacing the page with
// the error's JSON; the file itself is then handed to the browser to save.
import { useMutation } from '@tanstack/react-query';
import type { DownloadFormat } from '../../../../contract/api';
import { ApiError, apiDownload } from '../../../lib/api-client';
import { saveFile } from '../../../lib/save-file';

export interface DownloadRequest {
  format: DownloadFormat;
  version?: number;
}

export function downloadPath(assetId: string, r: DownloadRequest): string {
  const query = new URLSearchParams({ format: r.format, ...(r.version !== undefined ? { version: String(r.version) } : {}) });
  return `/api/assets/${encodeURIComponent(assetId)}/download?${query.toString()}`;
}

export function useDownloadAsset(assetId: string) {
  return useMutation({
    mutationFn: async (r: DownloadRequest) => {
      const file = await apiDownload(downloadPath(assetId, r));
      saveFile(file.blob, file.fileName);
    },
  });
}

/** What to say when a download failed: the server's own words, and when to try again if it said. */
export function downloadErrorMessage(error: Error | null): string | null {
  if (!error) return null;
  if (!(error instanceof ApiError)) return 'The download failed. Try again.';
  const wait = error.retryAfterSeconds;
  return wait !== null && !error.message.includes('try again') ? `${error.message} Try again in ${wait} s.` : error.message;
}
