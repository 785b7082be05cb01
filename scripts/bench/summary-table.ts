/**
 * The summary at the top of the report: one row per figure a capability issue named, each next to
 * its baseline from the same run (where it has one), the ratio, the issue's target and a verdict.
 * Targets are the issues' own words (README "Benchmarks", docs/benchmarks.md); a figure the issue
 * named without a target shows "—".
 */
import type { PiiType } from '../../src/pii/index.js';
import type { BenchResults } from './bench-harness.js';
import { MAX_STALL_MS, TARGETS } from './bench-report.js';
import { aloneStallMs, emptyPeakRssBytes, populatedPeakRssBytes, type BusyEveningResults } from './busy-evening-bench.js';
import type { CallSetupResults } from './call-setup-bench.js';
import { TARGET_P99_MS, type ChatRelayResults } from './chat-relay-bench.js';
import type { OutboxReplayResults } from './outbox-replay-bench.js';
import type { PiiQualityReport } from './pii-quality.js';
import type { RetentionResults } from './retention-bench.js';
import type { RtpRelayResults } from './rtp-relay-bench.js';
import type { StartToReadyResults } from './start-to-ready-bench.js';
import type { LatencySummary } from './statistics.js';
import type { StatsBenchResults } from './stats-bench.js';
import { STEP } from './step-profile.js';
import { MAX_ADDED_SETUP_P99_MS, RELAY_TARGET_CALLS } from './telephony-report.js';
import type { UpdateApplyResults } from './update-apply-bench.js';

export type Unit = 'ms' | 's' | '%' | 'MB' | 'per-second' | 'fraction';

/** What a figure must meet: the figure itself, its ratio to the baseline, or what it adds to the baseline. */
export interface Target {
  readonly on: 'measured' | 'ratio' | 'added';
  readonly relation: '<' | '≤' | '≥';
  readonly value: number;
}

export interface Figure {
  readonly figure: string;
  readonly unit: Unit;
  readonly measured: number;
  /** The same measurement of the baseline in the same run, and what the baseline is. */
  readonly baseline?: { readonly value: number; readonly what: string };
  readonly target?: Target;
}

export interface SummaryRow {
  readonly figure: string;
  readonly measured: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
  readonly verdict: string;
  readonly met: boolean | undefined;
}

const NONE = '—';

export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 'ms':
      return value < 1 ? `${(value * 1000).toFixed(0)} µs` : `${value.toFixed(2)} ms`;
    case 's':
      return `${value.toFixed(2)} s`;
    case '%':
      return `${value.toFixed(1)} %`;
    case 'MB':
      return `${value.toFixed(0)} MB`;
    case 'per-second':
      return `${value.toFixed(1)}/s`;
    case 'fraction':
      return value.toFixed(3);
  }
}

function ratioText(value: number): string {
  return `${value.toFixed(2)}×`;
}

function targetText(target: Target, unit: Unit): string {
  const value = target.on === 'ratio' ? ratioText(target.value) : formatValue(target.value, unit);
  const subject = target.on === 'ratio' ? 'ratio ' : target.on === 'added' ? 'added ' : '';
  return `${subject}${target.relation} ${value}`;
}

function meets(value: number, target: Target): boolean {
  if (target.relation === '<') return value < target.value;
  if (target.relation === '≤') return value <= target.value;
  return value >= target.value;
}

/** The figure the target is read on, or undefined when it needs a baseline the run did not have. */
function judged(figure: Figure, target: Target): number | undefined {
  if (target.on === 'measured') return figure.measured;
  if (!figure.baseline) return undefined;
  return target.on === 'ratio' ? figure.measured / figure.baseline.value : figure.measured - figure.baseline.value;
}

export function summaryRow(figure: Figure): SummaryRow {
  const { baseline, target, unit } = figure;
  const ratio = baseline && baseline.value > 0 ? figure.measured / baseline.value : undefined;
  let verdict = NONE;
  let met: boolean | undefined;
  if (target) {
    const value = judged(figure, target);
    if (value !== undefined) {
      met = meets(value, target);
      const show = (amount: number): string => (target.on === 'ratio' ? ratioText(amount) : formatValue(amount, unit));
      const by = Math.abs(value - target.value);
      verdict = met ? 'met' : `**MISSED** by ${show(by)}${target.on === 'added' ? ` (added ${show(value)})` : ''}`;
    }
  }
  return {
    figure: figure.figure,
    measured: formatValue(figure.measured, unit),
    baseline: baseline ? `${formatValue(baseline.value, unit)} (${baseline.what})` : NONE,
    ratio: ratio === undefined ? NONE : ratioText(ratio),
    target: target ? targetText(target, unit) : NONE,
    verdict,
    met,
  };
}

export function renderSummaryTable(rows: readonly SummaryRow[]): string {
  const cells = (row: readonly string[]): string => `| ${row.join(' | ')} |`;
  const missed = rows.filter((row) => row.met === false).length;
  const judgedRows = rows.filter((row) => row.met !== undefined).length;
  return [
    '### Summary',
    '',
    `${judgedRows - missed} of ${judgedRows} targets met${missed > 0 ? `, **${missed} missed**` : ''}; ${rows.length - judgedRows} without a target (—). Each baseline was measured in this run.`,
    '',
    cells(['figure', 'measured', 'baseline (same run)', 'ratio', 'target', 'verdict']),
    cells(['---', '---', '---', '---', '---', '---']),
    ...rows.map((row) => cells([row.figure, row.measured, row.baseline, row.ratio, row.target, row.verdict])),
    '',
  ].join('\n');
}

/** Issue 5's structured types: recall at least 0.98 on each. */
export const ISSUE_STRUCTURED_TYPES: readonly PiiType[] = ['PHONE', 'EMAIL', 'URL', 'IP', 'POSTCODE', 'BSN', 'RRN', 'IBAN'];
export const MIN_STRUCTURED_RECALL = 0.98;

/** Whatever the run measured; a part left out has no rows. */
export interface SummaryInputs {
  readonly intake?: BenchResults;
  readonly rawInsert?: LatencySummary;
  readonly retention?: RetentionResults;
  readonly callSetup?: CallSetupResults;
  readonly rtpRelay?: RtpRelayResults;
  readonly chatRelay?: ChatRelayResults;
  readonly pii?: { readonly labelled: PiiQualityReport; readonly heldOut: PiiQualityReport };
  readonly stats?: StatsBenchResults;
  readonly replay?: OutboxReplayResults;
  readonly startToReady?: StartToReadyResults;
  readonly updateApply?: UpdateApplyResults;
  readonly busyEvening?: BusyEveningResults;
}

const ms = (micros: number): number => micros / 1000;
const count = (value: number): string => value.toLocaleString('en');

function intakeFigures(intake: BenchResults, rawInsert: LatencySummary | undefined): Figure[] {
  const { privacy, plaintext } = intake.pipeline.durable;
  const at = `${count(intake.meta.contacts)} contacts`;
  const plain = 'plaintext pipeline';
  const insert = intake.steps.durable.privacy.find(({ step }) => step === STEP.insert)?.summary;
  return [
    { figure: `intake: modem line → station frame, mean (durable, ${at})`, unit: 'ms', measured: ms(privacy.meanMicros), baseline: { value: ms(plaintext.meanMicros), what: plain }, target: { on: 'ratio', relation: '≤', value: TARGETS.maxCostRatio } },
    { figure: `intake: line to station, p99 (durable, ${at})`, unit: 'ms', measured: ms(privacy.p99Micros), baseline: { value: ms(plaintext.p99Micros), what: plain }, target: { on: 'measured', relation: '<', value: TARGETS.maxP99Millis } },
    { figure: `intake: prior-contact lookup, p50 (${at})`, unit: 'ms', measured: ms(intake.lookups.privacy.p50Micros), baseline: { value: ms(intake.lookups.plaintext.p50Micros), what: 'plaintext count' } },
    ...(insert
      ? [{ figure: "intake: a contact's durable write (INSERT + COMMIT), mean", unit: 'ms', measured: ms(insert.meanMicros), ...(rawInsert ? { baseline: { value: ms(rawInsert.meanMicros), what: 'raw SQLite insert, fsync' } } : {}) } satisfies Figure]
      : []),
  ];
}

function retentionFigures(retention: RetentionResults): Figure[] {
  const run = retention.runs[0];
  if (!run) return [];
  const at = `${count(retention.meta.contacts)} contacts, ${count(retention.meta.transcriptLines)} transcript lines`;
  return [
    { figure: `retention run: longest event-loop stall (${at})`, unit: 'ms', measured: run.sweep.loop.longestStallMs, baseline: { value: run.baseline.loop.longestStallMs, what: 'calls alone' }, target: { on: 'measured', relation: '<', value: MAX_STALL_MS } },
    { figure: 'retention run: sweep time', unit: 's', measured: run.sweep.wallMs / 1000 },
  ];
}

function telephonyFigures(callSetup: CallSetupResults | undefined, rtpRelay: RtpRelayResults | undefined): Figure[] {
  const figures: Figure[] = [];
  if (callSetup) {
    const { steady, peak } = callSetup;
    figures.push({ figure: 'call setup INVITE → 200, p99 (steady run)', unit: 'ms', measured: ms(steady.box.setup.p99Micros), baseline: { value: ms(steady.direct.setup.p99Micros), what: 'SIPp → SIPp' }, target: { on: 'added', relation: '<', value: MAX_ADDED_SETUP_P99_MS } });
    if (peak) figures.push({ figure: 'call setups per second through the box (peak run)', unit: 'per-second', measured: peak.box.setupsPerSecond, baseline: { value: peak.direct.setupsPerSecond, what: 'SIPp → SIPp' } });
  }
  if (rtpRelay) {
    const target = rtpRelay.calls === RELAY_TARGET_CALLS ? { target: { on: 'measured', relation: '<', value: 50 } satisfies Target } : {};
    figures.push({ figure: `RTP relay CPU, ${rtpRelay.calls} calls (% of one core; target for ${RELAY_TARGET_CALLS})`, unit: '%', measured: rtpRelay.cpuPercentOfOneCore, ...target });
  }
  return figures;
}

function chatFigures(chat: ChatRelayResults | undefined, pii: SummaryInputs['pii']): Figure[] {
  const figures: Figure[] = [];
  if (chat) {
    const target: Target = { on: 'measured', relation: '<', value: TARGET_P99_MS };
    figures.push(
      { figure: `chat relay caller → volunteer, p99 (${chat.chats} chats)`, unit: 'ms', measured: chat.box.callerToVolunteer.p99Ms, baseline: { value: chat.baseline.callerToServer.p99Ms, what: 'plain ws echo' }, target },
      { figure: `chat relay volunteer → caller, p99 (${chat.chats} chats)`, unit: 'ms', measured: chat.box.volunteerToCaller.p99Ms, baseline: { value: chat.baseline.serverToCaller.p99Ms, what: 'plain ws echo' }, target },
    );
  }
  if (pii) {
    for (const [name, report] of [['labelled set', pii.labelled], ['held-out set', pii.heldOut]] as const) {
      const lowest = Math.min(...ISSUE_STRUCTURED_TYPES.map((type) => report.perType[type].recall));
      figures.push({ figure: `PII recall, lowest of the structured types (${name})`, unit: 'fraction', measured: lowest, target: { on: 'measured', relation: '≥', value: MIN_STRUCTURED_RECALL } });
      figures.push(
        { figure: `PII recall, all types (${name})`, unit: 'fraction', measured: report.overall.recall },
        { figure: `PII precision, all types (${name})`, unit: 'fraction', measured: report.overall.precision },
      );
    }
  }
  return figures;
}

function statsFigures(stats: StatsBenchResults | undefined, replay: OutboxReplayResults | undefined): Figure[] {
  const figures: Figure[] = [];
  for (const run of stats?.runs ?? []) {
    figures.push(
      { figure: `statistics close, one ${run.periodLength}, p50 (${count(stats?.contacts ?? 0)} contacts a year)`, unit: 'ms', measured: run.p50, baseline: { value: run.baselineP50, what: 'plain GROUP BY' } },
      { figure: `statistics: longest event-loop stall closing a year by ${run.periodLength}`, unit: 'ms', measured: run.eventLoopStallMs, baseline: { value: run.controlStallMs, what: 'idle process' } },
    );
  }
  if (replay) {
    const window = replay.meta.defaultWindow;
    for (const row of replay.rows.filter((candidate) => candidate.window === window)) {
      figures.push({ figure: `outbox replay, ${replay.meta.days} days offline, ${row.periodLength === 'day' ? 'daily' : `${row.periodLength}ly`} periods, ${row.rttMs} ms round trip, ${window} in flight: time to drain`, unit: 'ms', measured: row.box.drainMs, baseline: { value: row.baseline.drainMs, what: 'bare mqtt.js' } });
    }
  }
  return figures;
}

function boxFigures(startToReady: StartToReadyResults | undefined, updateApply: UpdateApplyResults | undefined): Figure[] {
  const figures: Figure[] = [];
  const fresh = startToReady?.rows.find((row) => row.contacts === 0)?.median;
  for (const row of startToReady?.rows ?? []) {
    const baseline = row.contacts > 0 && fresh ? { baseline: { value: fresh.readyMs / 1000, what: 'empty store' } } : {};
    figures.push({ figure: `start to ready, ${count(row.contacts)} contacts (median)`, unit: 's', measured: row.median.readyMs / 1000, ...baseline });
  }
  if (updateApply) figures.push({ figure: `update apply, ${(updateApply.bundleBytes / 1e6).toFixed(1)} MB bundle (median)`, unit: 's', measured: updateApply.median.totalMs / 1000 });
  return figures;
}

function eveningFigures(evening: BusyEveningResults): Figure[] {
  const { busy, callsAlone, chatsAlone } = evening;
  const alone = 'one flow alone';
  const chatTarget: Target = { on: 'measured', relation: '<', value: TARGET_P99_MS };
  return [
    { figure: 'busy evening: line to station, p50', unit: 'ms', measured: busy.lineToStation.p50Ms, baseline: { value: callsAlone.lineToStation.p50Ms, what: alone } },
    { figure: 'busy evening: line to station, p99', unit: 'ms', measured: busy.lineToStation.p99Ms, baseline: { value: callsAlone.lineToStation.p99Ms, what: alone }, target: { on: 'measured', relation: '<', value: TARGETS.maxP99Millis } },
    ...(busy.chat && chatsAlone.chat
      ? [
          { figure: 'busy evening: chat caller → volunteer, p50', unit: 'ms', measured: busy.chat.callerToVolunteer.p50Ms, baseline: { value: chatsAlone.chat.callerToVolunteer.p50Ms, what: alone } } satisfies Figure,
          { figure: 'busy evening: chat caller → volunteer, p99', unit: 'ms', measured: busy.chat.callerToVolunteer.p99Ms, baseline: { value: chatsAlone.chat.callerToVolunteer.p99Ms, what: alone }, target: chatTarget } satisfies Figure,
          { figure: 'busy evening: chat volunteer → caller, p50', unit: 'ms', measured: busy.chat.volunteerToCaller.p50Ms, baseline: { value: chatsAlone.chat.volunteerToCaller.p50Ms, what: alone } } satisfies Figure,
          { figure: 'busy evening: chat volunteer → caller, p99', unit: 'ms', measured: busy.chat.volunteerToCaller.p99Ms, baseline: { value: chatsAlone.chat.volunteerToCaller.p99Ms, what: alone }, target: chatTarget } satisfies Figure,
        ]
      : []),
    { figure: 'busy evening: longest event-loop stall (retention run during it)', unit: 'ms', measured: busy.longestStallMs, baseline: { value: aloneStallMs(evening), what: alone }, target: { on: 'measured', relation: '<', value: MAX_STALL_MS } },
    { figure: `peak RSS with calls at ${count(evening.meta.contacts)} stored contacts`, unit: 'MB', measured: populatedPeakRssBytes(evening) / 2 ** 20, baseline: { value: emptyPeakRssBytes(evening) / 2 ** 20, what: 'empty store' } },
  ];
}

/** Every row the run has figures for, in the order of the capability issues, the busy evening last. */
export function summaryRows(inputs: SummaryInputs): SummaryRow[] {
  return [
    ...(inputs.intake ? intakeFigures(inputs.intake, inputs.rawInsert) : []),
    ...(inputs.retention ? retentionFigures(inputs.retention) : []),
    ...telephonyFigures(inputs.callSetup, inputs.rtpRelay),
    ...chatFigures(inputs.chatRelay, inputs.pii),
    ...statsFigures(inputs.stats, inputs.replay),
    ...boxFigures(inputs.startToReady, inputs.updateApply),
    ...(inputs.busyEvening ? eveningFigures(inputs.busyEvening) : []),
  ].map(summaryRow);
}
