// URLs in descriptions: relative (minidlna's `/ctl/ContentDir`), absolute (the Leica camera's
// `http://192.168.54.1:60606/Server0/CDS_control`), or relative to a URLBase (UDA 1.0).
//
// Only http(s) results are accepted: these URLs are fetched, POSTed to and sometimes opened in a
// browser (presentationURL), so a device must not be able to hand us `javascript:` or `file:`.

/**
 * Resolves a URL field from a description against `base`.
 * @returns the absolute http(s) URL, or undefined when the field is missing, empty, unparsable
 *          or not http(s).
 */
export function resolveUrl(value: string | undefined, base: string): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  let resolved: URL;
  try {
    resolved = new URL(trimmed, base);
  } catch {
    return undefined;
  }
  if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') return undefined;
  return resolved.href;
}

/**
 * The base relative URLs in a description are resolved against: its URLBase when that is a
 * usable http(s) URL (itself resolved against the description URL), else the description URL.
 */
export function baseUrlFor(descriptionUrl: string, urlBase?: string): string {
  return resolveUrl(urlBase, descriptionUrl) ?? descriptionUrl;
}
