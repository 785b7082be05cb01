import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { HARDWARE, pinoutRows } from './hardware-files.js';

interface ParsedWiring {
  readonly parserError: string | null;
  readonly root: string;
  readonly connections: { pin: string | null; signal: string | null; label: string | null }[];
}

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser.close();
});

/** Chromium's XML parser reads the file as image/svg+xml: any well-formedness error shows as <parsererror>. */
async function parseWiring(text: string): Promise<ParsedWiring> {
  const page = await browser.newPage();
  try {
    // A string, run in the page: this project's TypeScript has no DOM types.
    const script = `(() => {
      const document = new DOMParser().parseFromString(${JSON.stringify(text)}, 'image/svg+xml');
      const error = document.getElementsByTagName('parsererror')[0];
      return {
        parserError: error ? (error.textContent || 'parsererror') : null,
        root: document.documentElement.namespaceURI + ' ' + document.documentElement.localName,
        connections: [...document.querySelectorAll('g.connection')].map((group) => ({
          pin: group.getAttribute('data-pin'),
          signal: group.getAttribute('data-signal'),
          label: group.querySelector('text.pin')?.textContent ?? null,
        })),
      };
    })()`;
    return (await page.evaluate(script)) as ParsedWiring;
  } finally {
    await page.close();
  }
}

describe('hardware/wiring.svg', () => {
  it('is well-formed SVG', async () => {
    const wiring = await parseWiring(readFileSync(join(HARDWARE, 'wiring.svg'), 'utf8'));
    expect(wiring.parserError).toBeNull();
    expect(wiring.root).toBe('http://www.w3.org/2000/svg svg');
  });

  it('draws exactly the pins of pinout.md, each labelled with its pin', async () => {
    const wiring = await parseWiring(readFileSync(join(HARDWARE, 'wiring.svg'), 'utf8'));
    const table = pinoutRows();
    expect(table.map((row) => row.pin)).toEqual(['D2', 'D3', 'D5', 'D6', 'D9', 'D10', 'GND']);
    const drawn = wiring.connections.map((connection) => ({ pin: connection.pin, signal: connection.signal }));
    expect(drawn.sort((a, b) => String(a.pin).localeCompare(String(b.pin)))).toEqual([...table].sort((a, b) => a.pin.localeCompare(b.pin)));
    for (const connection of wiring.connections) expect(connection.label).toBe(connection.pin);
  });

  it('notices a broken file (the check can fail)', async () => {
    const broken = await parseWiring(readFileSync(join(HARDWARE, 'wiring.svg'), 'utf8').replace('</svg>', ''));
    expect(broken.parserError).not.toBeNull();
  });
});
