import { Script } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contactView } from './fake-station-backend.js';
import { startHarness, type Harness } from './station-harness.js';

let harness: Harness;

beforeEach(async () => {
  harness = await startHarness();
  harness.backend.put(contactView({ reference: 'K7Q-3F9', priorContacts: 4 }));
});

afterEach(async () => {
  await harness.stop();
});

describe('station page', () => {
  it('serves the page without a token and without any contact data', async () => {
    const response = await fetch(`${harness.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<html lang="nl">');
    expect(html).toContain('aria-live');
    expect(html).not.toContain('K7Q-3F9');
    for (const path of ['/station.js', '/station.css']) {
      const asset = await fetch(`${harness.url}${path}`);
      expect(asset.status).toBe(200);
      expect(await asset.text()).not.toContain('K7Q-3F9');
    }
  });

  it('sends the security headers, and a policy that allows no inline script', async () => {
    const response = await fetch(`${harness.url}/`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/style=/);
  });

  it('serves a script that parses, takes the token out of the address bar, and never uses innerHTML', async () => {
    const script = await (await fetch(`${harness.url}/station.js`)).text();
    expect(() => new Script(script)).not.toThrow();
    expect(script).toContain('history.replaceState');
    expect(script).toContain('sessionStorage');
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(script).not.toContain('localStorage');
  });
});
