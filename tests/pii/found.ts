/** What the detector found in a text, as [type, substring] pairs: readable in assertions. */
import { detectPii, type PiiType } from '../../src/pii/index.js';

export function found(text: string): Array<[PiiType, string]> {
  return detectPii(text).map((span) => [span.type, text.slice(span.start, span.end)]);
}

export function foundOfType(text: string, type: PiiType): string[] {
  return found(text)
    .filter(([spanType]) => spanType === type)
    .map(([, substring]) => substring);
}

/** No lone surrogate: a span boundary did not cut an emoji in half. */
export function isWholeUtf16(text: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}
