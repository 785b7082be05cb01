import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { DEFAULT_BUNDLE_LIMITS, encodeBundle, memorySource, readBundleLayout, verifyBundle } from '../../src/update/index.js';
import { entryHeader, endRecord, BUNDLE_MAGIC } from '../../src/update/bundle-container.js';
import { FUZZ_CONTEXT, makeBundle, text } from './update-fixture.js';

const context = FUZZ_CONTEXT;

/** Whatever the bytes, verification ends in a clean HGW_UPDATE_* refusal: no other exception, no hang. */
async function expectCleanRefusal(bytes: Uint8Array): Promise<void> {
  const outcome = await verifyBundle(memorySource(bytes), context).then(
    () => 'accepted',
    (error: unknown) => (isGatewayError(error) && error.code.startsWith('HGW_UPDATE_') && !error.message.includes('\n') ? 'refused' : error),
  );
  expect(outcome).toBe('refused');
}

const good = makeBundle({ version: '1.1.0' });

describe('the bundle reader under fuzzing', () => {
  it('accepts the good bundle (so the properties below can fail)', async () => {
    const verified = await verifyBundle(memorySource(good), context);
    expect(verified.manifest.version).toBe('1.1.0');
  });

  it('refuses random bytes cleanly, with or without the magic in front', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), async (bytes, withMagic) => {
        await expectCleanRefusal(withMagic ? Uint8Array.from([...BUNDLE_MAGIC, ...bytes]) : bytes);
      }),
      { numRuns: 400 },
    );
  });

  it('refuses random entries in a well-formed container cleanly', async () => {
    const entry = fc.record({
      name: fc.oneof(fc.constantFrom('manifest.json', 'manifest.sig', 'files/a', 'files/../a', 'files//a', 'files/.bundle/x', 'other'), fc.string({ minLength: 1, maxLength: 40 })),
      data: fc.uint8Array({ maxLength: 300 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 8 }), fc.integer({ min: -2, max: 2 }), async (entries, countSkew) => {
        const parts: Uint8Array[] = [BUNDLE_MAGIC];
        for (const { name, data } of entries) {
          const ascii = name.replace(/[^\x20-\x7e]/g, '_');
          parts.push(entryHeader(ascii, data.length), data);
        }
        parts.push(endRecord(Math.max(0, entries.length + countSkew)));
        await expectCleanRefusal(Buffer.concat(parts));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses every prefix, and the good bundle with bytes spliced in or cut out, cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 64 }), fc.uint8Array({ maxLength: 16 }), async (at, cut, insert) => {
        if (cut === 0 && insert.length === 0) return;
        const spliced = Buffer.concat([good.subarray(0, at), insert, good.subarray(Math.min(good.length, at + cut))]);
        await expectCleanRefusal(spliced);
        await expectCleanRefusal(good.subarray(0, at));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses lengths that claim more than the file holds or than the limits allow, without reading them', async () => {
    const reads: number[] = [];
    const huge = Buffer.concat([BUNDLE_MAGIC, entryHeader('manifest.json', 2), text('{}')]);
    const lying = Buffer.from(huge);
    new DataView(lying.buffer, lying.byteOffset).setBigUint64(BUNDLE_MAGIC.length + 3 + 'manifest.json'.length, 2n ** 63n);
    const source = memorySource(lying);
    const counting = { size: source.size, read: (position: number, length: number) => (reads.push(length), source.read(position, length)) };
    const error = await readBundleLayout(counting, DEFAULT_BUNDLE_LIMITS).catch((thrown: unknown) => thrown);
    expect(isGatewayError(error, 'HGW_UPDATE_TOO_LARGE')).toBe(true);
    expect(Math.max(...reads)).toBeLessThanOrEqual(16);
    const oversized = encodeBundle(text('{}'), undefined, [{ path: 'a', bytes: new Uint8Array(10) }]);
    const refused = await readBundleLayout(memorySource(oversized), { ...DEFAULT_BUNDLE_LIMITS, maxBundleBytes: 20 }).catch((thrown: unknown) => thrown);
    expect(isGatewayError(refused, 'HGW_UPDATE_TOO_LARGE')).toBe(true);
  });
});
