/**
 * `npm run bench`: one report. It runs the intake benchmark and its storage baseline (a raw SQLite
 * insert with fsync), the retention run, the telephony benchmarks (call setup through the SIP box
 * against SIPp direct, RTP relay CPU), the chat relay and PII quality, the statistics year, the
 * outbox replay, start-to-ready, update apply and the busy evening (with the peak RSS), prints a
 * summary table (every figure, its same-run baseline, ratio, target and verdict) and the tables of
 * each part, and, for a full-scale run, writes them into docs/benchmarks.md below the hand-written
 * method section.
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
 *   BENCH_RAW_INSERTS=2000  raw SQLite inserts (synchronous=FULL) of the storage baseline
 *   BENCH_START_CONTACTS=0,1000000  stores to time start-to-ready on (default: empty and BENCH_CONTACTS)
 *   BENCH_START_REPETITIONS=3  starts per store (the median is reported)
 *   BENCH_UPDATE_PAYLOAD=project  the update bundle: project (dist/ and production node_modules) or synthetic
 *   BENCH_UPDATE_REPETITIONS=3  applies (the median is reported)
 *   BENCH_EVENING_CONTACTS=2000000  the busy evening's store (default: BENCH_RETENTION_CONTACTS, the same cache)
 *   BENCH_EVENING_CALLS=60  phone calls up at once during the busy evening
 *   BENCH_EVENING_HOLD_SECONDS=10  how long each of them is held
 *   BENCH_EVENING_CHATS=200  chats, one line a second each
 *   BENCH_EVENING_SECONDS=30  measured seconds of each phase (calls alone, chats alone, the evening)
 *   BENCH_EVENING_MAILS_PER_MINUTE=30  mails over SMTP during the evening
 *   BENCH_EVENING_REGISTRATIONS=7700  registered contacts of the statistics week closed during it
 *   BENCH_WRITE_DOCS=1      also write docs/benchmarks.md for a scaled-down run (0: never)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runBenchmarks } from './bench-harness.js';
import { formatDuration, renderReport, renderRetentionReport, retentionVerdict, targetVerdicts } from './bench-report.js';
import { runRetentionBench } from './retention-bench.js';
import { runCallSetupBench } from './call-setup-bench.js';
import { runRtpRelayBench } from './rtp-relay-bench.js';
import { measurePiiQuality, renderPiiQualityReport } from './pii-quality.js';
import { renderChatRelayReport, runChatRelayBench } from './chat-relay-bench.js';
import { renderStatsBench, runStatsBench } from './stats-bench.js';
import { renderOutboxReplayReport, runOutboxReplayBench } from './outbox-replay-bench.js';
import { HELD_OUT_LINES } from '../../tests/pii/held-out-lines.js';
import { callSetupVerdict, renderCallSetupReport, renderRtpRelayReport, rtpRelayVerdict } from './telephony-report.js';
import { runRawInsertBaseline } from './raw-insert-baseline.js';
import { renderStartToReadyReport, runStartToReadyBench } from './start-to-ready-bench.js';
import { renderUpdateApplyReport, runUpdateApplyBench } from './update-apply-bench.js';
import { renderBusyEveningReport, runBusyEveningBench } from './busy-evening-bench.js';
import { renderSummaryTable, summaryRows } from './summary-table.js';

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
const rawInserts = positiveInteger('BENCH_RAW_INSERTS', 2_000);
log(`storage baseline: ${rawInserts} raw SQLite inserts, each committed with fsync`);
const rawInsert = runRawInsertBaseline({ inserts: rawInserts, warmup: Math.min(200, Math.ceil(rawInserts / 10)), scratchRoot: join(root, '.bench') });
const intakeReport = `${renderReport(results)}\n\n### Storage baseline: a raw SQLite insert with fsync\n\n` +
  '| bare node-sqlite3-wasm table, WAL, synchronous=FULL, one autocommit INSERT per row | p50 | p99 | mean |\n| --- | --- | --- | --- |\n' +
  `| ${rawInserts.toLocaleString('en')} rows, each its own commit and fsync | ${formatDuration(rawInsert.p50Micros)} | ${formatDuration(rawInsert.p99Micros)} | ${formatDuration(rawInsert.meanMicros)} |\n`;
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
const pii = { labelled: measurePiiQuality(), heldOut: measurePiiQuality(HELD_OUT_LINES) };
const piiReport = `${renderPiiQualityReport(pii.labelled)}\n${renderPiiQualityReport(pii.heldOut, 'Chat PII detection (held-out set, never used to tune the rules)')}`;
process.stdout.write(`${piiReport}\n`);
const statsContacts = positiveInteger('BENCH_STATS_CONTACTS', 400_000);
log(`statistics: a year of ${statsContacts} contacts closed by week, month and day`);
const stats = await runStatsBench({ contacts: statsContacts, periods: ['week', 'month', 'day'], log });
const statsReport = `### Statistics (issue 6)\n\n${renderStatsBench(stats)}\n`;
process.stdout.write(`${statsReport}\n`);
const replayDays = positiveInteger('BENCH_REPLAY_DAYS', 7);
log(`outbox replay after ${replayDays} days offline`);
const replay = await runOutboxReplayBench({ days: replayDays, contactsPerDay: 600, periodLengths: ['hour', 'day'], windows: [1, 4, 16, 64], rttsMs: [0, 20], repetitions: 5, log });
const replayReport = `${renderOutboxReplayReport(replay)}\n`;
process.stdout.write(`${replayReport}\n`);
const startContacts = (process.env.BENCH_START_CONTACTS ?? `0,${contacts}`).split(',').map((text) => Number(text.replace(/_/g, '')));
log(`start to ready: ${startContacts.map((n) => n.toLocaleString('en')).join(' and ')} contacts`);
const startToReady = await runStartToReadyBench({ contacts: startContacts, repetitions: positiveInteger('BENCH_START_REPETITIONS', 3), cacheRoot: join(root, '.bench'), log });
const startReport = `### Start to ready (issue 7)\n\n${renderStartToReadyReport(startToReady)}\n`;
process.stdout.write(`${startReport}\n`);
const updatePayload = process.env.BENCH_UPDATE_PAYLOAD ?? 'project';
if (updatePayload !== 'project' && updatePayload !== 'synthetic') throw new Error(`BENCH_UPDATE_PAYLOAD must be project or synthetic, got ${JSON.stringify(updatePayload)}`);
log(`update apply: ${updatePayload} bundle`);
const updateApply = await runUpdateApplyBench({ payload: updatePayload, repetitions: positiveInteger('BENCH_UPDATE_REPETITIONS', 3), databaseMegabytes: 64, log });
const updateReport = renderUpdateApplyReport(updateApply);
process.stdout.write(`${updateReport}\n`);
const busyEvening = await runBusyEveningBench({
  contacts: positiveInteger('BENCH_EVENING_CONTACTS', retentionContacts),
  calls: positiveInteger('BENCH_EVENING_CALLS', 60),
  holdSeconds: positiveInteger('BENCH_EVENING_HOLD_SECONDS', 10),
  chats: positiveInteger('BENCH_EVENING_CHATS', 200),
  seconds: positiveInteger('BENCH_EVENING_SECONDS', 30),
  mailsPerMinute: positiveInteger('BENCH_EVENING_MAILS_PER_MINUTE', 30, 0),
  registrations: positiveInteger('BENCH_EVENING_REGISTRATIONS', 7_700),
  cacheRoot: join(root, '.bench'),
  log,
});
const eveningReport = renderBusyEveningReport(busyEvening);
process.stdout.write(`${eveningReport}\n`);
const summary = summaryRows({
  intake: results,
  rawInsert,
  retention,
  callSetup,
  rtpRelay,
  chatRelay,
  pii,
  stats,
  replay,
  startToReady,
  updateApply,
  busyEvening,
});
const summaryReport = renderSummaryTable(summary);
process.stdout.write(`${summaryReport}\n`);
const report = [summaryReport, intakeReport, retentionReport, callSetupReport, rtpRelayReport, chatRelayReport, piiReport, statsReport, replayReport, startReport, updateReport, eveningReport].join('\n');

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
const missed = summary.filter((row) => row.met === false);
process.stderr.write(`bench: summary: ${summary.filter((row) => row.met === true).length} targets met, ${missed.length} missed${missed.length > 0 ? ` (${missed.map((row) => row.figure).join('; ')})` : ''}\n`);
