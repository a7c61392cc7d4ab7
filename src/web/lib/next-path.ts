// Where the sign-in page sends a person afterwards (`?next=`): only a path on this site, never an open redirect.

const SIGN_IN = '/sign-in';
// Any origin that cannot be real: a `next` that resolves anywhere else is not a path on this site.
const BASE = 'https://asset-forge.invalid';

/**
 * `raw` when it is a same-site path ("/assets/a1?tab=2"), else "/". Refused: absolute URLs, protocol-relative
 * "//host", "/\host" (browsers read the backslash as a slash), control characters (the URL parser drops tabs
 * and newlines, so "/\t/host" would become "//host"), and the sign-in page itself (a loop).
 */
export function safeNextPath(raw: string | null | undefined): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//')) return '/';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\\\u0000-\u001f\u007f]/.test(raw)) return '/';
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return '/';
  }
  // Dot segments collapse while parsing: "/..//evil.com" becomes the path "//evil.com", protocol-relative again.
  if (url.origin !== BASE || url.pathname === SIGN_IN || url.pathname.startsWith('//')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

/** "/sign-in?next=…" for coming back to `path` (pathname + search) afterwards; plain "/sign-in" for the list. */
export function signInPath(path: string): string {
  const next = safeNextPath(path);
  return next === '/' ? SIGN_IN : `${SIGN_IN}?${new URLSearchParams({ next }).toString()}`;
}
