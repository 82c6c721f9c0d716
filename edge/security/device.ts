/** "Chrome on Android" from a User-Agent: enough for a player to recognise a session. Pure. */
export function describeDevice(userAgent: string | null | undefined): string {
  const ua = userAgent ?? "";
  if (!ua) return "Unknown device";
  const browser = /Edg\//.test(ua) ? "Edge" : /OPR\//.test(ua) ? "Opera" : /Firefox\//.test(ua) ? "Firefox" : /Chrom(e|ium)\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : /curl|python|node|undici|Go-http|okhttp/i.test(ua) ? "API client" : "Browser";
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad|iPod/.test(ua) ? "iOS" : /Mac OS X|Macintosh/.test(ua) ? "macOS" : /Windows/.test(ua) ? "Windows" : /CrOS/.test(ua) ? "ChromeOS" : /Linux/.test(ua) ? "Linux" : "";
  return os ? `${browser} on ${os}` : browser;
}

/** "Berlin, DE" from Cloudflare's request.cf (absent under `npm start`: null). */
export function describePlace(request: Request): string | null {
  const cf = (request as Request & { cf?: { city?: unknown; country?: unknown } }).cf;
  const city = typeof cf?.city === "string" ? cf.city : "";
  const country = typeof cf?.country === "string" ? cf.country : "";
  const place = [city, country].filter(Boolean).join(", ");
  return place ? place.slice(0, 80) : null;
}
