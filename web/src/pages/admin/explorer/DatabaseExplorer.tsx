import { useState } from 'preact/hooks';
import { api, ok, type Schema } from '../../../api.ts';
import { Alert, SelectField, useAction } from '../../../components/Form.tsx';
import { ResultTable } from '../../../components/ResultTable.tsx';
import { downloadText } from '../../../components/download.ts';
import { resultToCsv } from '../../../../../src/domain/admin/resultCsv.ts';
import { chartPoints, ResultChart, type ChartKind } from './ResultChart.tsx';
import { SavedQueriesPanel, type SavedQuery } from './SavedQueriesPanel.tsx';
import { TableBrowser } from './TableBrowser.tsx';
import './explorer.css';

type Result = Schema<'ConsoleQueryResult'>;
type Chart = Schema<'SavedQueryChart'>;

const CHART_KINDS: { value: ChartKind | ''; text: string }[] = [
  { value: '', text: 'No chart' },
  { value: 'bar', text: 'Bar' },
  { value: 'line', text: 'Line' },
  { value: 'pie', text: 'Pie' },
];
/**
 * The database explorer: browse the tables the console may read, run one read-only statement, see the
 * result as a table or a chart, export it, and keep queries under a name. Everything goes through the
 * admin console API, so the server's least-privilege role decides what can be read.
 */
export function DatabaseExplorer() {
  const [sql, setSql] = useState('');
  const [result, setResult] = useState<Result>();
  const [chart, setChart] = useState<Chart | null>(null);
  const run = useAction(async (statement: string) => {
    setResult(undefined);
    setResult(
      await ok(api.POST('/admin/db/query', { params: { query: { format: 'json' } }, body: { sql: statement } })),
    );
  });

  const load = (query: SavedQuery) => {
    setSql(query.sql);
    setChart(query.chart);
    void run.run(query.sql);
  };

  return (
    <section class="explorer">
      <h1>Database explorer</h1>
      <TableBrowser onQuery={(statement) => setSql(statement)} />
      <section aria-labelledby="sql-heading" class="sql-editor">
        <h2 id="sql-heading">SQL</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run.run(sql);
          }}
        >
          <label class="field">
            <span>SQL statement</span>
            <textarea
              name="sql"
              rows={6}
              spellcheck={false}
              value={sql}
              onInput={(e) => setSql(e.currentTarget.value)}
              onKeyDown={(e) => {
                // Ctrl/Cmd+Enter runs, as in most SQL editors.
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  void run.run(sql);
                }
              }}
            />
          </label>
          <p class="muted">One SELECT, WITH, TABLE or VALUES statement, read-only. Ctrl+Enter runs it.</p>
          <button type="submit" disabled={run.busy || !sql.trim()}>
            {run.busy ? 'Running…' : 'Run query'}
          </button>
        </form>
        {run.error && <Alert>{run.error}</Alert>}
      </section>
      {result && <ResultView result={result} chart={chart} onChart={setChart} />}
      <SavedQueriesPanel sql={sql} chart={chart} onLoad={load} />
    </section>
  );
}

function ResultView(props: { result: Result; chart: Chart | null; onChart: (chart: Chart | null) => void }) {
  const { result } = props;
  const exportAs = (format: 'csv' | 'json') => {
    if (format === 'csv') downloadText('query.csv', 'text/csv', resultToCsv(result));
    else {
      const objects = result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i]])));
      downloadText('query.json', 'application/json', JSON.stringify(objects, null, 2));
    }
  };
  return (
    <section aria-labelledby="result-heading" class="query-result">
      <h2 id="result-heading">Result</h2>
      <p role="status">
        {result.row_count} row{result.row_count === 1 ? '' : 's'}
        {result.truncated && ' (cut at the console’s row limit)'}
      </p>
      <div class="toolbar">
        <button type="button" class="secondary" onClick={() => exportAs('csv')}>
          Export CSV
        </button>
        <button type="button" class="secondary" onClick={() => exportAs('json')}>
          Export JSON
        </button>
      </div>
      <ChartControls result={result} chart={props.chart} onChart={props.onChart} />
      <ResultTable caption="Query result" columns={result.columns} rows={result.rows} />
    </section>
  );
}

function ChartControls(props: { result: Result; chart: Chart | null; onChart: (chart: Chart | null) => void }) {
  const { columns, rows } = props.result;
  const chart = props.chart;
  // A chart saved with other columns falls back to the first two of this result.
  const label = chart && columns.includes(chart.label_column) ? chart.label_column : (columns[0] ?? '');
  const value = chart && columns.includes(chart.value_column) ? chart.value_column : (columns[1] ?? columns[0] ?? '');
  const set = (changes: { kind?: ChartKind | ''; label_column?: string; value_column?: string }) => {
    const kind = changes.kind ?? chart?.kind ?? '';
    props.onChart(
      kind === ''
        ? null
        : { kind, label_column: changes.label_column ?? label, value_column: changes.value_column ?? value },
    );
  };
  const points = chart ? chartPoints(columns, rows, label, value) : [];
  return (
    <fieldset class="chart-controls">
      <legend>Chart</legend>
      <SelectField<ChartKind | ''>
        label="Chart type"
        options={CHART_KINDS}
        value={chart?.kind ?? ''}
        onChange={(kind) => set({ kind })}
      />
      <SelectField
        label="Label column"
        options={columns}
        value={label}
        disabled={!chart}
        onChange={(c) => set({ label_column: c })}
      />
      <SelectField
        label="Value column"
        options={columns}
        value={value}
        disabled={!chart}
        onChange={(c) => set({ value_column: c })}
      />
      {chart &&
        (points.length === 0 ? (
          <Alert kind="info">The value column {value} has no numbers to draw.</Alert>
        ) : (
          <ResultChart kind={chart.kind} points={points} label={label} value={value} />
        ))}
    </fieldset>
  );
}
