import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedLineSplitter } from '../../src/line/modem/bounded-line-splitter.js';

describe('the modem line splitter', () => {
  it('splits at CR, LF and CR LF, across chunk boundaries, and drops empty lines', () => {
    const splitter = new BoundedLineSplitter();
    expect(splitter.push(Buffer.from('\r\nRI'))).toEqual([]);
    expect(splitter.push(Buffer.from('NG\r\n\r\nNMBR = 06'))).toEqual(['RING']);
    expect(splitter.push(Buffer.from('12345678\rATZ\r'))).toEqual(['NMBR = 0612345678', 'ATZ']);
  });

  it('never holds more than the maximum when noise never ends a line', () => {
    const splitter = new BoundedLineSplitter(64);
    const lines: string[] = [];
    for (let i = 0; i < 1000; i++) lines.push(...splitter.push(Buffer.alloc(50, 0x41)));
    expect(lines.every((line) => line.length === 64)).toBe(true);
    expect(lines.length).toBe(Math.floor((1000 * 50) / 64));
  });

  it('loses no byte of text between line ends, whatever the chunking (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[A-Z0-9 =]{0,20}$/), { maxLength: 20 }), fc.integer({ min: 1, max: 7 }), (lines, chunkSize) => {
        const text = lines.map((line) => `${line}\r\n`).join('');
        const splitter = new BoundedLineSplitter();
        const out: string[] = [];
        for (let i = 0; i < text.length; i += chunkSize) out.push(...splitter.push(Buffer.from(text.slice(i, i + chunkSize), 'latin1')));
        expect(out).toEqual(lines.filter((line) => line !== ''));
      }),
    );
  });
});
