/**
 * A URL as logs may show it: credentials masked. Masks the password (or a user name standing alone, which RPC
 * providers use as a token), every query value (`?apikey=…`) and any path segment that looks like a key (16+
 * letters, digits, '-' or '_': the `/v2/<key>` of hosted RPC endpoints). Host, port, scheme and short path parts
 * stay, so the line still says where the process tried to go.
 */
export function maskUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "(not a URL)";
  }
  if (url.password) url.password = MASK;
  else if (url.username) url.username = MASK;
  for (const key of [...new Set(url.searchParams.keys())]) url.searchParams.set(key, MASK);
  url.pathname = url.pathname
    .split("/")
    .map((segment) => (/^[A-Za-z0-9_-]{16,}$/.test(segment) ? MASK : segment))
    .join("/");
  // URLSearchParams percent-encodes the mask; show it as written.
  return url.toString().replaceAll("%2A%2A%2A", MASK);
}

const MASK = "***";

/** `text` with every URL in it masked as maskUrl does (error messages quote the URLs they failed on). */
export const maskUrlsIn = (text: string): string => text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi, (url) => maskUrl(url));
