import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { ModelInputError } from './types.ts';

/** Largest CSV text a model accepts; the server caps request bodies separately. */
export const CsvText = z
  .string()
  .min(1, 'dataset is empty: send CSV text with a header row')
  .meta({ description: 'CSV text with a header row' });

export interface Table {
  features: string[];
  target: string;
  x: number[][];
  /** Target values as numbers (regression) or raw strings (labels). */
  y: number[] | string[];
  rows: number;
}

export interface TableOptions {
  target: string;
  features?: string[];
  maxRows: number;
  /** Keep the target as text (class labels) instead of requiring numbers. */
  labelTarget?: boolean;
  minRows?: number;
}

/**
 * Parses CSV with a header into a numeric feature matrix and a target column. Every failure is a
 * ModelInputError naming the row and column, so a user can fix the file.
 */
export function readTable(csv: string, options: TableOptions): Table {
  let records: string[][];
  try {
    records = parse(csv, { skip_empty_lines: true, trim: true, bom: true, relax_column_count: false });
  } catch (err) {
    throw new ModelInputError(`The dataset is not valid CSV: ${(err as Error).message}`);
  }
  if (records.length === 0) throw new ModelInputError('The dataset is empty: expected a header row and data rows');
  const header = records[0];
  const data = records.slice(1);
  const minRows = options.minRows ?? 2;
  if (data.length < minRows) {
    throw new ModelInputError(`The dataset has ${data.length} data row(s); at least ${minRows} are needed`);
  }
  if (data.length > options.maxRows) {
    throw new ModelInputError(`The dataset has ${data.length} rows; this model accepts at most ${options.maxRows}`, {
      max_rows: options.maxRows,
    });
  }
  const index = new Map(header.map((name, i) => [name, i]));
  if (index.size !== header.length) throw new ModelInputError('The header row has duplicate column names');
  const columnIndex = (name: string) => {
    const i = index.get(name);
    if (i === undefined)
      throw new ModelInputError(`Column "${name}" is not in the header (columns: ${header.join(', ')})`, {
        column: name,
      });
    return i;
  };
  const targetIndex = columnIndex(options.target);
  const features = options.features ?? header.filter((name) => name !== options.target);
  if (features.length === 0)
    throw new ModelInputError('No feature columns: the dataset needs at least one column besides the target');
  if (features.includes(options.target))
    throw new ModelInputError(`The target "${options.target}" cannot also be a feature`);
  const featureIndexes = features.map(columnIndex);

  const x: number[][] = [];
  const y: (number | string)[] = [];
  data.forEach((record, r) => {
    const line = r + 2;
    x.push(featureIndexes.map((i, f) => toNumber(record[i], line, features[f])));
    y.push(
      options.labelTarget
        ? requireText(record[targetIndex], line, options.target)
        : toNumber(record[targetIndex], line, options.target),
    );
  });
  return { features, target: options.target, x, y: y as number[] | string[], rows: data.length };
}

/**
 * Data rows and header columns of CSV text, counted without parsing the data (cheap enough to run
 * before a job is queued). Empty lines are skipped, as readTable skips them.
 */
export function csvShape(csv: string): { rows: number; columns: number } {
  let header: string | undefined;
  let rows = 0;
  for (let start = 0; start < csv.length;) {
    const newline = csv.indexOf('\n', start);
    const end = newline === -1 ? csv.length : newline;
    if (csv.slice(start, end).trim() !== '') {
      if (header === undefined) header = csv.slice(start, end);
      else rows++;
    }
    start = end + 1;
  }
  if (header === undefined) return { rows: 0, columns: 0 };
  const [names] = parse(header, { trim: true, bom: true, relax_quotes: true });
  return { rows, columns: names?.length ?? 0 };
}

/** Rows for prediction: arrays in feature order, or objects keyed by feature name. */
export const PredictRows = z
  .array(z.union([z.array(z.number()), z.record(z.string(), z.number())]))
  .min(1)
  .max(10_000)
  .meta({ description: 'Rows to predict: arrays in feature order or objects keyed by feature name' });

export function rowsToMatrix(rows: z.infer<typeof PredictRows>, features: string[]): number[][] {
  return rows.map((row, r) => {
    if (Array.isArray(row)) {
      if (row.length !== features.length) {
        throw new ModelInputError(
          `Row ${r}: expected ${features.length} values (${features.join(', ')}), got ${row.length}`,
        );
      }
      return row;
    }
    return features.map((name) => {
      const value = row[name];
      if (value === undefined)
        throw new ModelInputError(`Row ${r}: missing feature "${name}"`, { row: r, column: name });
      return value;
    });
  });
}

function toNumber(text: string | undefined, line: number, column: string): number {
  const value = text === undefined || text === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) {
    throw new ModelInputError(`Line ${line}, column "${column}": ${JSON.stringify(text ?? '')} is not a number`, {
      line,
      column,
    });
  }
  return value;
}

function requireText(text: string | undefined, line: number, column: string): string {
  if (!text) throw new ModelInputError(`Line ${line}, column "${column}" is empty`, { line, column });
  return text;
}
