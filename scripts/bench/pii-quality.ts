/**
 * Precision and recall of the chat PII detector on the labelled set in tests/pii/. A labelled
 * span is found when a detected span of the same type overlaps it; a detected span is a false
 * positive when it overlaps no labelled span of its type. Run on its own:
 *   node --import tsx scripts/bench/pii-quality.ts
 */
import { pathToFileURL } from 'node:url';
import { detectPii, PII_TYPES, type PiiSpan, type PiiType } from '../../src/pii/index.js';
import { HELD_OUT_LINES } from '../../tests/pii/held-out-lines.js';
import { LABELLED_LINES, resolveLabels, type LabelledLine } from '../../tests/pii/labelled-set.js';

export interface PiiTypeQuality {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  /** 1 when nothing was detected (no false positive either). */
  readonly precision: number;
  /** 1 when nothing was labelled. */
  readonly recall: number;
}

export interface PiiQualityReport {
  readonly lines: number;
  readonly linesWithoutPii: number;
  readonly perType: Readonly<Record<PiiType, PiiTypeQuality>>;
  readonly overall: PiiTypeQuality;
}

interface Counts {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

function overlaps(left: PiiSpan, right: PiiSpan): boolean {
  return left.type === right.type && left.start < right.end && right.start < left.end;
}

function quality(counts: Counts): PiiTypeQuality {
  const { truePositives, falsePositives, falseNegatives } = counts;
  return {
    truePositives,
    falsePositives,
    falseNegatives,
    precision: truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives),
    recall: truePositives + falseNegatives === 0 ? 1 : truePositives / (truePositives + falseNegatives),
  };
}

/** Scores the detector on `lines` (the labelled set unless told otherwise). */
export function measurePiiQuality(lines: readonly LabelledLine[] = LABELLED_LINES): PiiQualityReport {
  const counts = Object.fromEntries(PII_TYPES.map((type) => [type, { truePositives: 0, falsePositives: 0, falseNegatives: 0 }])) as Record<PiiType, Counts>;
  for (const line of lines) {
    const { text, spans: labelled } = resolveLabels(line);
    const detected = detectPii(text);
    for (const label of labelled) {
      const entry = counts[label.type];
      if (detected.some((span) => overlaps(span, label))) entry.truePositives += 1;
      else entry.falseNegatives += 1;
    }
    for (const span of detected) {
      if (!labelled.some((label) => overlaps(span, label))) counts[span.type].falsePositives += 1;
    }
  }
  const total = Object.values(counts).reduce<Counts>(
    (sum, entry) => ({
      truePositives: sum.truePositives + entry.truePositives,
      falsePositives: sum.falsePositives + entry.falsePositives,
      falseNegatives: sum.falseNegatives + entry.falseNegatives,
    }),
    { truePositives: 0, falsePositives: 0, falseNegatives: 0 },
  );
  return {
    lines: lines.length,
    linesWithoutPii: lines.filter((line) => line.pii.length === 0).length,
    perType: Object.fromEntries(PII_TYPES.map((type) => [type, quality(counts[type])])) as Record<PiiType, PiiTypeQuality>,
    overall: quality(total),
  };
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

function row(label: string, entry: PiiTypeQuality): string {
  return `| ${label} | ${entry.truePositives} | ${entry.falsePositives} | ${entry.falseNegatives} | ${percent(entry.precision)} | ${percent(entry.recall)} |`;
}

/** The report as a Markdown table, one row per type and an overall row. */
export function renderPiiQualityReport(report: PiiQualityReport, title = 'Chat PII detection (labelled set)'): string {
  return [
    `### ${title}`,
    '',
    `${report.lines} lines, ${report.linesWithoutPii} of them without any personal detail. A hit is a detected span of the same type overlapping a labelled one.`,
    '',
    '| type | true positives | false positives | false negatives | precision | recall |',
    '| --- | --- | --- | --- | --- | --- |',
    ...PII_TYPES.map((type) => row(type, report.perType[type])),
    row('**overall**', report.overall),
    '',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(renderPiiQualityReport(measurePiiQuality()));
  process.stdout.write(`\n${renderPiiQualityReport(measurePiiQuality(HELD_OUT_LINES), 'Chat PII detection (held-out set, never used to tune the rules)')}`);
}
