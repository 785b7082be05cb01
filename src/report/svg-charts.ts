import { figureText, type Figure } from './figure.js';
import { escapeHtml } from './html-text.js';

/**
 * Charts as inline SVG: no script, no external resource, colours as presentation attributes (not
 * style attributes), so a page under `default-src 'none'` draws them. Each chart is an image with
 * a title and a description for screen readers; the report puts a table with the same numbers
 * beside it. A bar's length is the figure's count, which for a lower bound ("≥") is what is known.
 */
export interface ChartItem {
  readonly label: string;
  /** Null: no data for this item (drawn as a dash). */
  readonly total: Figure | null;
}

export interface ChartText {
  /** Unique in the page: the ids of the title and description derive from it. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
}

const EXACT_FILL = '#1f5f99';
const LOWER_BOUND_FILL = '#8fb3d9';
const TEXT_FILL = '#1a1a1a';
const AXIS_STROKE = '#777777';

function fillOf(total: Figure): string {
  return total.complete ? EXACT_FILL : LOWER_BOUND_FILL;
}

function opening(text: ChartText, width: number, height: number): string {
  const id = escapeHtml(text.id);
  return (
    `<svg class="chart" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="13">` +
    `<title id="${id}-title">${escapeHtml(text.title)}</title><desc id="${id}-desc">${escapeHtml(text.description)}</desc>`
  );
}

/** One horizontal bar per item, in the given order, the value written after each bar. */
export function barChart(text: ChartText, items: readonly ChartItem[]): string {
  const labelWidth = 190;
  const barSpace = 330;
  const row = 26;
  const width = labelWidth + barSpace + 110;
  const height = items.length * row + 12;
  const max = Math.max(1, ...items.map((item) => item.total?.count ?? 0));
  const rows = items.map((item, i) => {
    const y = 6 + i * row;
    const value = figureText(item.total);
    const length = item.total ? Math.round((item.total.count / max) * barSpace) : 0;
    const bar = item.total && length > 0 ? `<rect class="bar" x="${labelWidth}" y="${y + 3}" width="${length}" height="${row - 8}" fill="${fillOf(item.total)}"/>` : '';
    return (
      `<g><title>${escapeHtml(`${item.label}: ${value}`)}</title>` +
      `<text x="${labelWidth - 8}" y="${y + row / 2 + 4}" text-anchor="end" fill="${TEXT_FILL}">${escapeHtml(item.label)}</text>${bar}` +
      `<text class="value" x="${labelWidth + length + 6}" y="${y + row / 2 + 4}" fill="${TEXT_FILL}">${escapeHtml(value)}</text></g>`
    );
  });
  return `${opening(text, width, height)}<line x1="${labelWidth}" y1="4" x2="${labelWidth}" y2="${height - 4}" stroke="${AXIS_STROKE}"/>${rows.join('')}</svg>`;
}

/** One vertical column per item (the months), the value above each column. */
export function columnChart(text: ChartText, items: readonly ChartItem[]): string {
  const column = 50;
  const left = 10;
  const plot = 170;
  const top = 24;
  const width = left * 2 + items.length * column;
  const height = top + plot + 28;
  const max = Math.max(1, ...items.map((item) => item.total?.count ?? 0));
  const columns = items.map((item, i) => {
    const x = left + i * column;
    const value = item.total ? figureText(item.total) : '–';
    const length = item.total ? Math.round((item.total.count / max) * plot) : 0;
    const bar = item.total && length > 0 ? `<rect class="bar" x="${x + 8}" y="${top + plot - length}" width="${column - 16}" height="${length}" fill="${fillOf(item.total)}"/>` : '';
    return (
      `<g><title>${escapeHtml(`${item.label}: ${figureText(item.total)}`)}</title>${bar}` +
      `<text class="value" x="${x + column / 2}" y="${top + plot - length - 6}" text-anchor="middle" font-size="11" fill="${TEXT_FILL}">${escapeHtml(value)}</text>` +
      `<text x="${x + column / 2}" y="${top + plot + 18}" text-anchor="middle" fill="${TEXT_FILL}">${escapeHtml(item.label)}</text></g>`
    );
  });
  return `${opening(text, width, height)}<line x1="${left}" y1="${top + plot}" x2="${width - left}" y2="${top + plot}" stroke="${AXIS_STROKE}"/>${columns.join('')}</svg>`;
}
