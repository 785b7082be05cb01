/**
 * `npm run bench`: runs the benchmark, then the retention run, then the telephony benchmarks (call
 * setup through the SIP box against SIPp direct, RTP relay CPU), the chat relay and PII quality,
 * the statistics year and the outbox replay, prints the Markdown tables and, for
 * a full-scale run, writes them into docs/benchmarks.md below the hand-written method section.
 *
 *   BENCH_CONTACTS=1000000  stored contacts before the measured calls
 *   BENCH_RETENTION_CONTACTS=2000000  stored contacts the retention run sweeps
 *   BENCH_CALLS=2000        measured calls per pipeline and phase
 *   BENCH_WARMUP=200        unmeasured calls before them (default: a tenth of BENCH_CALLS, at most 200)
 *   BENCH_SIP_CALLS=400     measured call setups per path (SIPp direct, through the box), steady run
 *   BENCH_SIP_RATE=8        calls per second of the steady run (above 8/s spread over trunk addresses)
 *   BENCH_SIP_HOLD_MS=1000  how long each call is held before the trunk's BYE, steady run
 *   BENCH_SIP_WARMUP=40     unmeasured calls through the box first
 *   BENCH_SIP_PEAK_RATE=40  calls per second of the peak run (0: no peak run)
 *   BENCH_SIP_PEAK_CALLS=400  calls per path of the peak run (held 200 ms)
 *   BENCH_RTP_CALLS=30      concurrent relayed calls
 *   BENCH_RTP_SECONDS=10    measured seconds of the relay run
 *   BENCH_CHATS=200         concurrent chats, one message per second each
 *   BENCH_CHAT_SECONDS=10   measured seconds of the chat relay run
 *   BENCH_STATS_CONTACTS=400000  registered contacts of the statistics year (issue 6)
 *   BENCH_REPLAY_DAYS=7     days offline before the outbox replay (issue 6)
 *   BENCH_WRITE_DOCS=1      also write docs/benchmarks.md for a scaled-down run (0: never)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runBenchmarks } from './bench-harness.js';
import { renderReport, renderRetentionReport, retentionVerdict, targetVerdicts } from './bench-report.js';
import { runRetentionBench } from './retention-bench.js';
import { runCallSetupBench } from './call-setup-bench.js';
import { runRtpRelayBench } from './rtp-relay-bench.js';
import { measurePiiQuality, renderPiiQualityReport } from './pii-quality.js';
import { renderChatRelayReport, runChatRelayBench } from './chat-relay-bench.js';
import { renderStatsBench, runStatsBench } from './stats-bench.js';
import { renderOutboxReplayReport, runOutboxReplayBench } from './outbox-replay-bench.js';
import { HELD_OUT_LINES } from '../../tests/pii/held-out-lines.js';
import { callSetupVerdict, renderCallSetupReport, renderRtpRelayReport, rtpRelayVerdict } from './telephony-report.js';

const DEFAULT_CONTACTS = 1_000_000;
const DEFAULT_CALLS = 2_000;
const DEFAULT_RETENTION_CONTACTS = 2_000_000;
const DEFAULT_SIP_CALLS = 400;
const DEFAULT_RTP_CALLS = 30;
const RESULTS_MARKER = '<!-- bench:results (everything below is written by npm run bench) -->';

function positiveInteger(name: string, fallback: number, minimum = 1): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value < minimum) throw new Error(`${name} must be a whole number ≥ ${minimum}, got ${JSON.stringify(text)}`);
  return value;
}

const root = resolve(import.meta.dirname, '..', '..');
const contacts = positiveInteger('BENCH_CONTACTS', DEFAULT_CONTACTS);
const calls = positiveInteger('BENCH_CALLS', DEFAULT_CALLS);
const warmup = positiveInteger('BENCH_WARMUP', Math.max(1, Math.min(200, Math.round(calls / 10))));
const retentionContacts = positiveInteger('BENCH_RETENTION_CONTACTS', DEFAULT_RETENTION_CONTACTS);
const sipCalls = positiveInteger('BENCH_SIP_CALLS', DEFAULT_SIP_CALLS);
const sipRate = positiveInteger('BENCH_SIP_RATE', 8);
const sipHoldMs = positiveInteger('BENCH_SIP_HOLD_MS', 1000, 0);
const sipWarmup = positiveInteger('BENCH_SIP_WARMUP', Math.min(40, sipCalls));
const sipPeakRate = positiveInteger('BENCH_SIP_PEAK_RATE', 40, 0);
const sipPeakCalls = positiveInteger('BENCH_SIP_PEAK_CALLS', 400);
const rtpCalls = positiveInteger('BENCH_RTP_CALLS', DEFAULT_RTP_CALLS);
const rtpSeconds = positiveInteger('BENCH_RTP_SECONDS', 10);
const fullScale = contacts === DEFAULT_CONTACTS && calls >= DEFAULT_CALLS && retentionContacts === DEFAULT_RETENTION_CONTACTS &&
  sipCalls >= DEFAULT_SIP_CALLS && rtpCalls === DEFAULT_RTP_CALLS;
const writeDocs = process.env.BENCH_WRITE_DOCS === undefined ? fullScale : process.env.BENCH_WRITE_DOCS === '1';

const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
const results = runBenchmarks({ contacts, calls, warmup, cacheRoot: join(root, '.bench'), log });
const intakeReport = renderReport(results);
process.stdout.write(`${intakeReport}\n`);
const retention = await runRetentionBench({ contacts: retentionContacts, cacheRoot: join(root, '.bench'), log });
const retentionReport = renderRetentionReport(retention);
process.stdout.write(`${retentionReport}\n`);
log(`call setup: ${sipCalls} calls per path at ${sipRate}/s${sipPeakRate > 0 ? `, then ${sipPeakCalls} at ${sipPeakRate}/s` : ''}`);
const callSetup = await runCallSetupBench({
  calls: sipCalls,
  rate: sipRate,
  holdMs: sipHoldMs,
  warmup: sipWarmup,
  stations: 24,
  peak: sipPeakRate > 0 ? { rate: sipPeakRate, calls: sipPeakCalls, holdMs: 200 } : undefined,
  log,
});
const callSetupReport = renderCallSetupReport(callSetup);
process.stdout.write(`${callSetupReport}\n`);
log(`RTP relay: ${rtpCalls} calls for ${rtpSeconds} s`);
const rtpRelay = await runRtpRelayBench({ calls: rtpCalls, seconds: rtpSeconds });
const rtpRelayReport = renderRtpRelayReport(rtpRelay);
process.stdout.write(`${rtpRelayReport}\n`);
const chats = positiveInteger('BENCH_CHATS', 200);
log(`chat relay: ${chats} chats, one message per second each`);
const chatRelay = await runChatRelayBench({ chats, seconds: positiveInteger('BENCH_CHAT_SECONDS', 10), ratePerChat: 1 });
const chatRelayReport = renderChatRelayReport(chatRelay);
process.stdout.write(`${chatRelayReport}\n`);
const piiReport = `${renderPiiQualityReport(measurePiiQuality())}\n${renderPiiQualityReport(measurePiiQuality(HELD_OUT_LINES), 'Chat PII detection (held-out set, never used to tune the rules)')}`;
process.stdout.write(`${piiReport}\n`);
const statsContacts = positiveInteger('BENCH_STATS_CONTACTS', 400_000);
log(`statistics: a year of ${statsContacts} contacts closed by week, month and day`);
const statsReport = `### Statistics (issue 6)\n\n${renderStatsBench(await runStatsBench({ contacts: statsContacts, periods: ['week', 'month', 'day'], log }))}\n`;
process.stdout.write(`${statsReport}\n`);
const replayDays = positiveInteger('BENCH_REPLAY_DAYS', 7);
log(`outbox replay after ${replayDays} days offline`);
const replay = await runOutboxReplayBench({ days: replayDays, contactsPerDay: 600, periodLengths: ['hour', 'day'], windows: [1, 4, 16, 64], rttsMs: [0, 20], repetitions: 5, log });
const replayReport = `${renderOutboxReplayReport(replay)}\n`;
process.stdout.write(`${replayReport}\n`);
const report = `${intakeReport}\n${retentionReport}\n${callSetupReport}\n${rtpRelayReport}\n${chatRelayReport}\n${piiReport}\n${statsReport}\n${replayReport}`;

const docsPath = join(root, 'docs', 'benchmarks.md');
if (writeDocs) {
  const existing = existsSync(docsPath) ? readFileSync(docsPath, 'utf8') : '# Benchmarks\n';
  const markerAt = existing.indexOf(RESULTS_MARKER);
  const intro = markerAt >= 0 ? existing.slice(0, markerAt) : `${existing.trimEnd()}\n\n`;
  writeFileSync(docsPath, `${intro}${RESULTS_MARKER}\n\n${report}`);
  process.stderr.write(`bench: wrote ${docsPath}\n`);
} else {
  process.stderr.write('bench: scaled-down run, docs/benchmarks.md left as it is (BENCH_WRITE_DOCS=1 writes it anyway)\n');
}
const verdicts = targetVerdicts(results);
process.stderr.write(
  `bench: targets ${verdicts.met ? 'met' : 'MISSED'}: cost ${verdicts.costRatioMean.toFixed(2)}× the baseline (mean, ≤ 1.25×; p50 ${verdicts.costRatioP50.toFixed(2)}× for information), ` +
    `p99 ${(verdicts.p99Micros / 1000).toFixed(2)} ms (< 10 ms); ${retentionVerdict(retention)}; ${callSetupVerdict(callSetup)}; ${rtpRelayVerdict(rtpRelay)}; ` +
    `chat relay p99 ${chatRelay.box.callerToVolunteer.p99Ms.toFixed(2)} / ${chatRelay.box.volunteerToCaller.p99Ms.toFixed(2)} ms (< ${chatRelay.targetP99Ms} ms: ${chatRelay.meetsTarget ? 'met' : 'MISSED'})\n`,
);
