/**
 * An http(s) URL as its origin and path without trailing slashes: credentials, query and
 * fragment are never carried over. Undefined when the text is not such a URL.
 */
export function httpBase(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || !URL.canParse(raw)) return undefined;
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
