/**
 * The headers every page the box serves carries, around its own Content-Security-Policy: no
 * framing, no referrer, no sniffing, no sharing with other origins, no caching (a page may show a
 * contact), and no camera, microphone or location.
 */
export function securityHeaders(contentSecurityPolicy: string): Readonly<Record<string, string>> {
  return {
    'content-security-policy': contentSecurityPolicy,
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
    'cache-control': 'no-store',
  };
}
