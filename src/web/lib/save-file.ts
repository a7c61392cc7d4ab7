// Hands a downloaded file to the browser to save, under its name, as a link with `download` would.
export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has started reading the file by now; the URL is only needed until then.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
