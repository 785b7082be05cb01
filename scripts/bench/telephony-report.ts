/** The telephony benchmarks (issue 4) as Markdown for `npm run bench` and docs/benchmarks.md. */
import { formatDuration } from './bench-report.js';
import type { CallSetupResults, RunPair, SetupRun } from './call-setup-bench.js';
import { MAX_RELAY_CORE_PERCENT, type RtpRelayResults } from './rtp-relay-bench.js';
import type { LatencySummary } from './statistics.js';

/** Issue 4's target: what the box adds to a call's setup, at the 99th percentile. */
export const MAX_ADDED_SETUP_P99_MS = 20;
/** The relay target is stated for this many calls. */
export const RELAY_TARGET_CALLS = 30;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
}

function count(value: number): string {
  return value.toLocaleString('en');
}

function calls(n: number): string {
  return `${count(n)} call${n === 1 ? '' : 's'}`;
}

function signed(micros: number): string {
  return micros < 0 ? `−${formatDuration(-micros)}` : `+${formatDuration(micros)}`;
}

function latencyCells(summary: LatencySummary): string[] {
  return [formatDuration(summary.p50Micros), formatDuration(summary.p99Micros), formatDuration(summary.meanMicros), formatDuration(summary.maxMicros)];
}

function runRow(label: string, run: SetupRun): string[] {
  const rtd = run.rtd ? `${run.rtd.p50Millis} / ${run.rtd.p99Millis} ms` : '–';
  const cpu = run.boxCpuMillisPerCall === undefined ? '–' : `${run.boxCpuMillisPerCall.toFixed(1)} ms`;
  return [
    label,
    run.path === 'direct' ? 'SIPp → SIPp directly' : '**through the box**',
    `${run.offeredRate}/s × ${count(run.offered)} (${run.trunkAddresses} trunk address${run.trunkAddresses === 1 ? '' : 'es'}), hold ${run.holdMs} ms`,
    `${count(run.answered)}${run.answered < run.offered ? ` (**${count(run.offered - run.answered)} failed**)` : ''}`,
    `${run.setupsPerSecond.toFixed(1)}/s`,
    ...latencyCells(run.setup),
    rtd,
    cpu,
  ];
}

function pairRows(label: string, pair: RunPair): string[][] {
  return [
    runRow(label, pair.direct),
    runRow('', pair.box),
    ['', '**added by the box**', '', '', '', `**${signed(pair.addedP50Micros)}**`, `**${signed(pair.addedP99Micros)}**`, signed(pair.box.setup.meanMicros - pair.direct.setup.meanMicros), '', '', ''],
  ];
}

function addedVerdict(micros: number): string {
  const millis = micros / 1000;
  if (millis < MAX_ADDED_SETUP_P99_MS) return `met (${(MAX_ADDED_SETUP_P99_MS - millis).toFixed(1)} ms to spare)`;
  return `**missed** by ${(millis - MAX_ADDED_SETUP_P99_MS).toFixed(1)} ms`;
}

function relayVerdict(results: RtpRelayResults): string {
  const scale = results.calls === RELAY_TARGET_CALLS ? '' : ` (at ${calls(results.calls)}; the target is for ${RELAY_TARGET_CALLS})`;
  const percent = results.cpuPercentOfOneCore;
  if (percent < MAX_RELAY_CORE_PERCENT) return `met (${(MAX_RELAY_CORE_PERCENT - percent).toFixed(1)} points to spare)${scale}`;
  return `**missed** by ${(percent - MAX_RELAY_CORE_PERCENT).toFixed(1)} points${scale}`;
}

export function renderCallSetupReport(results: CallSetupResults): string {
  const { meta, steady, peak, desk } = results;
  const legs = steady.box.legs;
  const lines: string[] = [
    '### Call setup: SIPp trunk → SIPp desk phone, directly and through the box',
    '',
    `Run ${meta.date.slice(0, 16).replace('T', ' ')} UTC · Node ${meta.node} · ${meta.cpu} (${meta.cores} cores) · the gateway as \`run\` starts it (SipLine, ContactDesk with ` +
      `keyring, pseudonymizer, vault and SQLite synchronous=FULL, CallRouter longest-idle over ${meta.stations} stations ringing one SIPp desk, wrap-up 0) · ` +
      `setup = trunk's INVITE sent → 200 received (SIPp -trace_msg, µs) · ${count(meta.warmup)} warm-up calls through the box first · ` +
      `gateway start ${formatDuration(meta.gatewayStartMillis * 1000)} · whole bench ${meta.totalSeconds.toFixed(0)} s`,
    '',
    ...table(['run', 'path', 'offered', 'answered', 'setups/s', 'p50', 'p99', 'mean', 'max', 'SIPp RTD p50 / p99 (1 ms steps)', 'gateway CPU per call'], [
      ...pairRows('steady', steady),
      ...(peak ? pairRows('peak', peak) : []),
    ]),
    '',
  ];
  if (legs) {
    lines.push(
      '### Where a setup through the box goes (steady run, split at the desk phone)',
      '',
      ...table(['part of the setup', 'p50', 'p99', 'mean', 'max'], [
        ["trunk INVITE → box's 100 Trying (parse, intake: HMACs, seal, contact row with fsync)", ...latencyCells(legs.trying)],
        ["trunk INVITE → desk phone's INVITE (the above, routing, the inside leg's INVITE)", ...latencyCells(legs.toDesk)],
        ['desk INVITE → desk 200 (SIPp desk: 180, then 200)', ...latencyCells(legs.desk)],
        ["desk 200 → trunk's 200 (ACK, answered, RTP relay, the outside leg's 200)", ...latencyCells(legs.back)],
      ]),
      '',
    );
  }
  lines.push(
    ...table(['target', 'measured', 'verdict'], [
      [`setup delay the box adds, p99 < ${MAX_ADDED_SETUP_P99_MS} ms (steady run)`, formatDuration(steady.addedP99Micros), addedVerdict(steady.addedP99Micros)],
      ...(peak ? [['for information: the same in the peak run', formatDuration(peak.addedP99Micros), addedVerdict(peak.addedP99Micros)]] : []),
      ['setups per second through the box (peak run, all answered)', peak ? `${peak.box.setupsPerSecond.toFixed(1)}/s of ${peak.box.offeredRate}/s offered` : '–', peak ? (peak.box.answered === peak.box.offered ? 'kept up' : `**${count(peak.box.offered - peak.box.answered)} failed**`) : 'not run'],
      [
        'the privacy core did the work: desk phones shown "Bekende beller" for the calls whose caller called before',
        `${count(desk.knownCaller)} of ${count(desk.invites)} desk INVITEs (${count(desk.repeatCalls)} repeat calls; ${count(desk.firstContact)} "Eerste contact")`,
        desk.knownCaller === desk.repeatCalls ? 'as expected' : '**differs**',
      ],
      ["caller numbers in the desk phones' messages or the gateway log", count(desk.leaks), desk.leaks === 0 ? 'none' : '**LEAK**'],
    ]),
    '',
  );
  return lines.join('\n');
}

export function renderRtpRelayReport(results: RtpRelayResults): string {
  return [
    '### RTP relay: concurrent relayed calls, G.711 20 ms frames both ways',
    '',
    `Node ${results.node} · ${results.cpu} (${results.cores} cores) · trunks and desk phones in a child process, so the CPU counted is the relay's (process.cpuUsage, all threads) · ` +
      `1 s warm-up, then ${results.seconds} s measured`,
    '',
    ...table(['relayed calls', 'packets/s through the relay', 'relay CPU, % of one core', 'CPU per call', 'packets sent / back / loss', 'verdict (< 50% of one core for 30 calls)'], [
      [
        `${results.calls}${results.listenAlong > 0 ? ` (${results.listenAlong} with listen-along)` : ''}`,
        count(results.calls * 4 * (1000 / 20)),
        `**${results.cpuPercentOfOneCore}%**`,
        `${results.cpuMillisecondsPerCallPerSecond} ms per second (${(results.cpuMillisecondsPerCallPerSecond / 10).toFixed(2)}% of a core)`,
        `${count(results.packetsSent)} / ${count(results.packetsReceived)} / ${results.lossPercent}%`,
        relayVerdict(results),
      ],
    ]),
    '',
  ].join('\n');
}

/** One line each for the terminal's closing summary. */
export function callSetupVerdict(results: CallSetupResults): string {
  const added = results.steady.addedP99Micros / 1000;
  const peak = results.peak ? `, ${results.peak.box.setupsPerSecond.toFixed(1)} setups/s through the box at peak` : '';
  return `call setup: added p99 ${added.toFixed(2)} ms (< ${MAX_ADDED_SETUP_P99_MS} ms: ${added < MAX_ADDED_SETUP_P99_MS ? 'met' : 'MISSED'})${peak}`;
}

export function rtpRelayVerdict(results: RtpRelayResults): string {
  const met = results.cpuPercentOfOneCore < MAX_RELAY_CORE_PERCENT ? 'met' : 'MISSED';
  return `RTP relay: ${calls(results.calls)} ${results.cpuPercentOfOneCore}% of one core (< ${MAX_RELAY_CORE_PERCENT}%${results.calls === RELAY_TARGET_CALLS ? '' : ` for ${RELAY_TARGET_CALLS}`}: ${met}), loss ${results.lossPercent}%`;
}
