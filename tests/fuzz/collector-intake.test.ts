import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyIncoming, MAX_UNKNOWN_KIND_BYTES } from '../../src/collector/index.js';
import { birthPayload, statsPayload, statusPayload } from '../collector/collector-harness.js';
import { budget, FuzzReport } from './fuzz-budget.js';
import { hostileJson, hostileString, longRepetition, plantedIdentifier, plantedIn } from './hostile-values.js';

/**
 * The central office's intake (src/collector/incoming-message.ts, `classifyIncoming`): whatever
 * topic and payload arrive at the broker. tests/collector/hostile-input.integration.test.ts sends a
 * dozen hand-made ones through Mosquitto into PostgreSQL; here the topics and payloads are random
 * and mutated from what a box sends. Each is classified without throwing; a refusal's error names
 * paths and codes only and keeps the topic only when nothing in it looks personal; what is kept as
 * sent (an unknown kind) carries nothing shaped like an identifier.
 */

const report = new FuzzReport('collector-intake');
afterAll(() => report.write());

const SITE = 'utrecht-1';
const KINDS = ['stats', 'incident', 'status', 'birth', 'health', 'diagnostics', 'x', 'STATS', 'stats ', ''];
const topicLevel = fc.oneof(fc.constantFrom(SITE, 'gent-2', '', '+', '#', 'a'.repeat(65), 'Utrecht', 'utrecht_1'), plantedIdentifier, hostileString);
const topic = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...KINDS).map((kind) => `helpline/v1/${SITE}/${kind}`) },
  { weight: 2, arbitrary: fc.tuple(topicLevel, fc.constantFrom(...KINDS)).map(([site, kind]) => `helpline/v1/${site}/${kind}`) },
  { weight: 1, arbitrary: fc.tuple(topicLevel, topicLevel).map(([site, kind]) => `helpline/v1/${site}/${kind}`) },
  { weight: 1, arbitrary: fc.array(topicLevel, { maxLength: 6 }).map((levels) => levels.join('/')) },
  { weight: 1, arbitrary: fc.constantFrom('helpline/v2/utrecht-1/stats', 'helpline/v1/utrecht-1/stats/extra', 'helpline/v1//stats', '/helpline/v1/utrecht-1/stats', 'helpline/v1/utrecht-1') },
);

const VALID = [statsPayload(SITE, 4), statusPayload(SITE, 'online'), birthPayload(SITE, 12, [[3, 5]]), JSON.stringify({ schema: 'helpline.diagnostics/1', site: SITE, restarts: [40, 42] })];

/** A valid payload's JSON with values replaced, keys added (planted identifiers among them) or dropped. */
function mutateJson(value: unknown, edits: ReadonlyArray<readonly [number, 'set' | 'add' | 'drop', unknown, string]>): unknown {
  const copy: unknown = JSON.parse(JSON.stringify(value));
  const containers: Array<Record<string, unknown>> = [];
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    containers.push(node as Record<string, unknown>);
    for (const child of Object.values(node)) walk(child);
  };
  walk(copy);
  for (const [at, kind, replacement, key] of edits) {
    const container = containers[at % containers.length];
    if (!container) continue;
    const keys = Object.keys(container);
    const chosen = keys.length > 0 ? (keys[at % keys.length] ?? key) : key;
    const name = kind === 'add' ? key : chosen;
    // An array takes index keys only: `length` set to 2^31 would make a test input of 2^31 nulls.
    if (Array.isArray(container) && !/^\d{1,4}$/.test(name)) continue;
    if (kind === 'drop') delete container[chosen];
    else Object.defineProperty(container, name, { value: replacement, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

const edit = fc.tuple(fc.nat(), fc.constantFrom('set' as const, 'add' as const, 'drop' as const), fc.oneof(hostileJson, plantedIdentifier), fc.oneof(hostileString, plantedIdentifier, fc.constantFrom('caller', 'ip', 'note', '__proto__')));
const payload = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...VALID), fc.array(edit, { maxLength: 4 })).map(([text, edits]) => Buffer.from(JSON.stringify(mutateJson(JSON.parse(text), edits)))) },
  { weight: 2, arbitrary: fc.constantFrom(...VALID).map((text) => Buffer.from(text)) },
  { weight: 1, arbitrary: hostileJson.map((value) => Buffer.from(JSON.stringify(value) ?? 'null')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...VALID), fc.nat()).map(([text, cut]) => Buffer.from(text.slice(0, cut % (text.length + 1)))) },
  { weight: 1, arbitrary: fc.integer({ min: MAX_UNKNOWN_KIND_BYTES - 10, max: MAX_UNKNOWN_KIND_BYTES + 10 }).map((size) => Buffer.from(JSON.stringify({ pad: 'x'.repeat(Math.max(0, size - 10)) }))) },
  { weight: 1, arbitrary: longRepetition.map((text) => Buffer.from(JSON.stringify({ schema: 'x', text: text.slice(0, MAX_UNKNOWN_KIND_BYTES / 2) }))) },
);

describe('the collector intake under fuzzing', () => {
  it('classifies any topic and payload without throwing, and keeps nothing personal', () => {
    const target = report.target('classifyIncoming: random and mutated topics and payloads');
    fc.assert(
      fc.property(topic, payload, fc.boolean(), (topicText, bytes, retained) => {
        target.run(() => {
          const incoming = classifyIncoming(topicText, bytes, retained);
          expect(incoming.size).toBe(bytes.length);
          if (incoming.type === 'refused') {
            const { refusal } = incoming;
            expect(refusal.error.length).toBeLessThanOrEqual(500);
            expect(plantedIn(refusal.error), refusal.error).toBeUndefined();
            if (refusal.topic !== undefined) expect(plantedIn(refusal.topic)).toBeUndefined();
            if (refusal.seq !== undefined) expect(Number.isSafeInteger(refusal.seq) && refusal.seq > 0).toBe(true);
            return target.outcome(`refused: ${refusal.reason}`);
          }
          expect(plantedIn(incoming.site)).toBeUndefined();
          const kept = JSON.stringify(incoming.type === 'unknown-kind' ? incoming.payload : incoming.message);
          expect(plantedIn(kept), kept.slice(0, 300)).toBeUndefined();
          target.outcome(incoming.type);
        });
      }),
      budget(1),
    );
    target.finished();
  });
});

describe('regressions found by fuzzing the collector intake', () => {
  it('classifies a 256 kB unknown-kind payload of escaped lone surrogates within a second: the scrubber took minutes', () => {
    const payload = Buffer.from(`{"schema":"${'\\ud800'.repeat(40_000)}"}`);
    const started = process.hrtime.bigint();
    expect(classifyIncoming(`helpline/v1/${SITE}/diagnostics`, payload).type).toBe('unknown-kind');
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
  });

  it('refuses an unknown kind whose payload holds a Dutch mobile number without its 06: it was kept as sent', () => {
    const payload = Buffer.from(JSON.stringify({ schema: '41729358', site: SITE }));
    expect(classifyIncoming(`helpline/v1/${SITE}/diagnostics`, payload)).toMatchObject({ type: 'refused', refusal: { reason: 'unknown-kind-refused' } });
  });

  it('refuses an unknown kind whose payload holds an IPv6 address: it was kept as sent', () => {
    const payload = Buffer.from(JSON.stringify({ schema: 'helpline.diagnostics/9', site: SITE, client: '2001:db8:77:77::77' }));
    expect(classifyIncoming(`helpline/v1/${SITE}/diagnostics`, payload)).toMatchObject({ type: 'refused', refusal: { reason: 'unknown-kind-refused' } });
  });
});
