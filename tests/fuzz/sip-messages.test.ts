import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readCallerPresentation } from '../../src/line/sip/caller-identity.js';
import { createLogger } from '../../src/log/logger.js';
import { InviteFloodGuard } from '../../src/sip/flood-guard.js';
import { SipIngress } from '../../src/sip/ingress.js';
import { DEFAULT_FLOOD_LIMITS, parseSdp, parseSipMessageSafely, TCP_PARSE_LIMITS, UDP_PARSE_LIMITS, type SipMessage, type SipResponse } from '../../src/sip/index.js';
import { SipStreamFramer } from '../../src/sip/stream-framer.js';
import { emptyTransportCounters } from '../../src/sip/transport.js';
import { isGatewayError } from '../../src/errors.js';
import { ManualClock } from '../../src/time/clock.js';
import { INVITE_LINES, SDP_OFFER } from '../sip/sip-fixtures.js';
import { budget, FuzzReport } from './fuzz-budget.js';
import { hostileString, plantedIdentifier, plantedIn, plantedSightings } from './hostile-values.js';

/**
 * SIP over the real parser, at the level above the byte fuzzing of tests/sip/parser-properties.test.ts
 * (random bytes, fragments, byte flips, truncations) and the socket flood of
 * tests/sip/hostile-input.integration.test.ts: header-level mutations of a trunk INVITE (repeated,
 * missing, compact and folded headers, lying Content-Length, oversized lines and sections, CRLF/LF
 * mixes, hostile values with planted numbers) through the ingress every transport uses; the TCP
 * stream framer; the SDP parser; and the one place that reads the caller's number. Each input is a
 * message, or a counted HGW_SIP_* refusal whose message and log line carry nothing of the input.
 */

const report = new FuzzReport('sip-messages');
afterAll(() => report.write());

const HEADERS = INVITE_LINES.slice(1);
const COMPACT: Readonly<Record<string, string>> = { Via: 'v', From: 'f', To: 't', 'Call-ID': 'i', Contact: 'm', 'Content-Type': 'c', 'Content-Length': 'l' };
const EXTRA_HEADERS = ['P-Asserted-Identity', 'Privacy', 'Route', 'Record-Route', 'Contact', 'Max-Forwards', 'Content-Length', 'l', 'Expires', 'X-Planted'];

type HeaderEdit =
  | { readonly kind: 'drop'; readonly at: number }
  | { readonly kind: 'repeat'; readonly at: number }
  | { readonly kind: 'compact'; readonly at: number }
  | { readonly kind: 'case'; readonly at: number }
  | { readonly kind: 'value'; readonly at: number; readonly value: string }
  | { readonly kind: 'add'; readonly name: string; readonly value: string }
  | { readonly kind: 'fold'; readonly at: number; readonly value: string }
  | { readonly kind: 'huge'; readonly at: number; readonly size: number };

const headerValue = fc.oneof(
  hostileString,
  plantedIdentifier.map((identifier) => `<sip:${identifier}@trunk.example>`),
  plantedIdentifier.map((identifier) => `<tel:${identifier}>`),
  fc.constantFrom('id', 'none', 'header;user', '*', '<sip:anonymous@anonymous.invalid>', '-1', '99999999', '0', '70', 'SIP/2.0/UDP', '<>', '"', 'sip:'),
);
const headerEdit: fc.Arbitrary<HeaderEdit> = fc.oneof(
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('compact' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('case' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('value' as const), at: fc.nat(), value: headerValue }),
  fc.record({ kind: fc.constant('add' as const), name: fc.oneof(fc.constantFrom(...EXTRA_HEADERS), hostileString), value: headerValue }),
  fc.record({ kind: fc.constant('fold' as const), at: fc.nat(), value: headerValue }),
  fc.record({ kind: fc.constant('huge' as const), at: fc.nat(), size: fc.integer({ min: 1000, max: 20_000 }) }),
);
const LENGTH_CLAIMS = ['exact', 'none', 'more', 'less', 'negative', 'text', 'two', 'huge'] as const;
const LINE_END = fc.constantFrom('\r\n', '\n', '\r', '\r\r\n');

interface InviteInput {
  readonly edits: readonly HeaderEdit[];
  readonly manyHeaders: number | undefined;
  readonly lengthClaim: (typeof LENGTH_CLAIMS)[number];
  readonly body: string;
  readonly endings: readonly string[] | undefined;
  readonly leadingCrlf: number;
}

/** Mostly near the valid INVITE (so the parser's deeper paths run), sometimes far from it. */
const mutatedInvite: fc.Arbitrary<InviteInput> = fc.record({
  edits: fc.oneof(
    { weight: 3, arbitrary: fc.constant([]) },
    { weight: 3, arbitrary: fc.array(headerEdit, { minLength: 1, maxLength: 1 }) },
    { weight: 3, arbitrary: fc.array(headerEdit, { minLength: 2, maxLength: 5 }) },
  ),
  manyHeaders: fc.oneof({ weight: 10, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 90, max: 130 }) }),
  lengthClaim: fc.oneof({ weight: 8, arbitrary: fc.constant('exact' as const) }, { weight: 3, arbitrary: fc.constantFrom(...LENGTH_CLAIMS) }),
  body: fc.oneof(
    { weight: 4, arbitrary: fc.constant(SDP_OFFER) },
    { weight: 1, arbitrary: hostileString },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')) },
  ),
  /** Line ends of the header section: all CRLF, or a random mix. */
  endings: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.array(LINE_END, { minLength: 1, maxLength: 8 }) }),
  leadingCrlf: fc.nat(3),
});

function headerName(line: string): string {
  return line.slice(0, Math.max(0, line.indexOf(':')));
}

function buildInvite(input: InviteInput): Buffer {
  const lines = [...HEADERS];
  const at = (index: number): number => index % Math.max(1, lines.length);
  for (const edit of input.edits) {
    if (edit.kind === 'add') {
      lines.push(`${edit.name}: ${edit.value}`);
      continue;
    }
    if (lines.length === 0) continue;
    const index = at(edit.at);
    const line = lines[index] ?? '';
    const name = headerName(line);
    if (edit.kind === 'drop') lines.splice(index, 1);
    else if (edit.kind === 'repeat') lines.splice(index, 0, line);
    else if (edit.kind === 'compact') lines[index] = `${COMPACT[name] ?? name}${line.slice(name.length)}`;
    else if (edit.kind === 'case') lines[index] = `${name.toUpperCase()}${line.slice(name.length)}`;
    else if (edit.kind === 'value') lines[index] = `${name}: ${edit.value}`;
    else if (edit.kind === 'fold') lines.splice(index + 1, 0, ` ${edit.value}`);
    else lines[index] = `${line}${'x'.repeat(edit.size)}`;
  }
  for (let index = 0; index < (input.manyHeaders ?? 0); index++) lines.push(`X-Filler-${index}: ${index}`);
  const bodyBytes = Buffer.byteLength(input.body, 'latin1');
  const claim = {
    exact: [`Content-Length: ${bodyBytes}`],
    none: [],
    more: [`Content-Length: ${bodyBytes + 1 + (bodyBytes % 7)}`],
    less: [`Content-Length: ${Math.max(0, bodyBytes - 3)}`],
    negative: ['Content-Length: -1'],
    text: ['Content-Length: twelve'],
    two: [`Content-Length: ${bodyBytes}`, `l: ${bodyBytes + 1}`],
    huge: ['Content-Length: 99999999999'],
  }[input.lengthClaim];
  const all = [INVITE_LINES[0] ?? '', ...lines, ...claim];
  const endings = input.endings ?? ['\r\n'];
  const head = all.map((line, index) => `${line}${endings[index % endings.length]}`).join('');
  return Buffer.from(`${'\r\n'.repeat(input.leadingCrlf)}${head}\r\n${input.body}`, 'latin1');
}

interface IngressRun {
  readonly ingress: SipIngress;
  readonly counters: ReturnType<typeof emptyTransportCounters>;
  readonly logLines: string[];
  readonly answers: SipResponse[];
}

function ingressRun(limits = UDP_PARSE_LIMITS): IngressRun {
  const logLines: string[] = [];
  const logger = createLogger({ level: 'trace', destination: { write: (line: string) => void logLines.push(line) } });
  const counters = emptyTransportCounters();
  const answers: SipResponse[] = [];
  const ingress = new SipIngress({
    limits,
    counters,
    floodGuard: new InviteFloodGuard(DEFAULT_FLOOD_LIMITS, new ManualClock(0), logger),
    logger,
    reply: (response) => void answers.push(response),
  });
  return { ingress, counters, logLines, answers };
}

const PEER = { transport: 'udp', address: '192.0.2.1', port: 5060 } as const;
const SIP_CODES = new Set(['HGW_SIP_MALFORMED', 'HGW_SIP_TOO_LARGE']);

describe('SIP messages under fuzzing', () => {
  it('takes every header-mutated INVITE as a message or a counted refusal; the log says the code, never the input', () => {
    const target = report.target('ingress: header mutations, lying lengths, CRLF/LF mixes, oversized');
    const everyLogLine: string[] = [];
    fc.assert(
      fc.property(mutatedInvite, fc.boolean(), (input, overTcp) => {
        target.run(() => {
          const run = ingressRun(overTcp ? TCP_PARSE_LIMITS : UDP_PARSE_LIMITS);
          const bytes = buildInvite(input);
          let message: SipMessage | undefined;
          expect(() => (message = run.ingress.accept(bytes, PEER))).not.toThrow();
          const { counters } = run;
          expect(counters.received).toBe(1);
          expect(counters.malformed + counters.oversized + counters.floodDropped + (message ? 1 : 0)).toBe(1);
          const refusedLines = run.logLines.map((line) => JSON.parse(line) as { msg: string; code?: string; reason?: string });
          for (const line of refusedLines) {
            if (line.msg === 'SIP message refused') {
              expect(SIP_CODES.has(line.code ?? '')).toBe(true);
              expect(line.reason ?? '').not.toMatch(/[\r\n]/);
            }
            expect(line.msg).not.toBe('SIP parser failed unexpectedly');
          }
          for (const line of run.logLines) expect(plantedIn(line), line).toBeUndefined();
          everyLogLine.push(...run.logLines);
          for (const answer of run.answers) expect(answer.status).toBe(400);
          target.outcome(message ? 'message' : counters.oversized ? 'HGW_SIP_TOO_LARGE' : 'HGW_SIP_MALFORMED');
        });
      }),
      budget(2),
    );
    expect(plantedSightings('SIP ingress log', everyLogLine)).toEqual([]);
    target.finished();
  });

  it('reads the caller from any parsed INVITE without throwing, and prints nothing of it', () => {
    const target = report.target('caller identity: From, P-Asserted-Identity, Privacy');
    fc.assert(
      fc.property(mutatedInvite, fc.constantFrom('NL' as const, 'BE' as const), (input, country) => {
        target.run(() => {
          const parsed = parseSipMessageSafely(buildInvite(input), TCP_PARSE_LIMITS);
          if (!parsed.ok || parsed.message.kind !== 'request') return target.outcome('not a request');
          const presentation = readCallerPresentation(parsed.message, country);
          expect(['number', 'withheld', 'unavailable', 'invalid']).toContain(presentation.kind);
          expect(plantedIn(JSON.stringify(presentation) + inspect(presentation, { depth: 5 }) + String(presentation))).toBeUndefined();
          target.outcome(presentation.kind);
        });
      }),
      budget(2),
    );
    target.finished();
  });

  it('frames any TCP stream of messages and keep-alives, in any chunking, within the limit or with a fault', () => {
    const target = report.target('TCP stream framer: chunking, keep-alives, lying lengths');
    const stream = fc.record({
      parts: fc.array(fc.oneof(mutatedInvite.map(buildInvite), fc.constantFrom(Buffer.from('\r\n\r\n'), Buffer.from('\r\n')), fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes))), { maxLength: 5 }),
      chunkSize: fc.integer({ min: 1, max: 4096 }),
    });
    fc.assert(
      fc.property(stream, ({ parts, chunkSize }) => {
        target.run(() => {
          const framer = new SipStreamFramer(TCP_PARSE_LIMITS.maxMessageBytes);
          const bytes = Buffer.concat(parts);
          let framed = 0;
          let fault: string | undefined;
          for (let offset = 0; offset < bytes.length && fault === undefined; offset += chunkSize) {
            const result = framer.push(bytes.subarray(offset, offset + chunkSize));
            for (const message of result.messages) {
              expect(message.length).toBeLessThanOrEqual(TCP_PARSE_LIMITS.maxMessageBytes);
              const parsed = parseSipMessageSafely(message, TCP_PARSE_LIMITS);
              if (!parsed.ok) expect(SIP_CODES.has(parsed.error.code)).toBe(true);
              framed += 1;
            }
            fault = result.fault;
          }
          target.outcome(fault ? `fault: ${fault}` : framed > 0 ? 'framed' : 'waiting');
        });
      }),
      budget(4),
    );
    target.finished();
  });

  it('parses any SDP body into a description or refuses it with HGW_SIP_MALFORMED, without echoing it', () => {
    const target = report.target('SDP parser: line mutations and hostile values');
    const sdpLines = SDP_OFFER.split('\r\n').filter((line) => line !== '');
    const sdp = fc.record({
      edits: fc.array(fc.tuple(fc.nat(), fc.constantFrom('drop', 'repeat', 'value', 'add'), fc.oneof(hostileString, fc.constantFrom('c=IN IP4 999.1.1.1', 'c=IN IP6 ', 'm=audio 70000 RTP/AVP 0', 'm=audio 0 RTP/AVP', 'a=rtpmap:300 PCMU/8000', 'a=ptime:-1', 'b=AS:64', `c=IN IP4 203.0.113.77`, 'v=1', 'm=video 4000 RTP/AVP 96'))), { maxLength: 6 }),
      ending: fc.constantFrom('\r\n', '\n', '\r'),
    });
    fc.assert(
      fc.property(sdp, ({ edits, ending }) => {
        target.run(() => {
          const lines = [...sdpLines];
          for (const [at, kind, value] of edits) {
            const index = at % Math.max(1, lines.length);
            if (kind === 'drop') lines.splice(index, 1);
            else if (kind === 'repeat') lines.splice(index, 0, lines[index] ?? '');
            else if (kind === 'value') lines[index] = `${(lines[index] ?? 'a=').slice(0, 2)}${value}`;
            else lines.splice(index, 0, value);
          }
          try {
            parseSdp(lines.join(ending) + ending);
            target.outcome('description');
          } catch (error) {
            expect(isGatewayError(error, 'HGW_SIP_MALFORMED'), String(error)).toBe(true);
            const text = (error as Error).message;
            expect(text).not.toMatch(/[\r\n]/);
            expect(plantedIn(text)).toBeUndefined();
            target.outcome('HGW_SIP_MALFORMED');
          }
        });
      }),
      budget(1),
    );
    target.finished();
  });
});

describe('regressions found by fuzzing SIP', () => {
  it('reads a header named "constructor" (or "toString", "__proto__") as any other: the name lookup found Object.prototype\'s and threw', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const bytes = Buffer.from([...INVITE_LINES, `${name}: <tel:+31641729358>`, 'Content-Length: 0', '', ''].join('\r\n'));
      const parsed = parseSipMessageSafely(bytes, UDP_PARSE_LIMITS);
      expect(parsed.ok, name).toBe(true);
      if (parsed.ok) expect(parsed.message.headers.getAll(name)).toEqual(['<tel:+31641729358>']);
    }
  });
});
