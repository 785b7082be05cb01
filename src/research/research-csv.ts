/**
 * The data set as CSV (RFC 4180, CRLF, a header row). Every value is a code from a closed list
 * (a generalized category, a record id) and is refused unless it looks like one: no free text can
 * reach the file through this writer, and nothing in it needs quoting or can start a spreadsheet
 * formula. A reviewed free-text column would need a writer of its own (docs/research-export.md).
 */
const CODE = /^[A-Za-z0-9*][A-Za-z0-9*+-]{0,47}$/;
const COLUMN = /^[a-z][a-z_]{0,31}$/;

export function researchCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  if (!header.every((column) => COLUMN.test(column))) throw new RangeError('a column name is not a snake_case name');
  const line = (values: readonly string[], what: string): string => {
    if (values.length !== header.length) throw new RangeError(`${what} has ${values.length} values for ${header.length} columns`);
    for (const value of values) if (!CODE.test(value)) throw new RangeError(`${what}: a value is not a category code`);
    return values.join(',');
  };
  return [header.join(','), ...rows.map((row, i) => line(row, `row ${i + 1}`))].map((text) => `${text}\r\n`).join('');
}
