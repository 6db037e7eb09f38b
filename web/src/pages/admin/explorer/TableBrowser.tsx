import { useEffect, useState } from 'preact/hooks';
import { api, ok, type Schema } from '../../../api.ts';
import { Alert, useAction } from '../../../components/Form.tsx';
import { ResultTable } from '../../../components/ResultTable.tsx';

type Table = Schema<'ConsoleTable'>;
type Result = Schema<'ConsoleQueryResult'>;

/** Every table the console may read (the list is paged; the explorer shows them all). */
async function allTables(): Promise<Table[]> {
  const tables: Table[] = [];
  let cursor: string | undefined;
  do {
    const page = await ok(api.GET('/admin/db/tables', { params: { query: { limit: 100, cursor } } }));
    tables.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return tables;
}

/** The statement that reads a table's readable columns: `select *` is refused where a column is hidden. */
export function selectStatement(table: Table): string {
  const columns = table.columns.map((c) => (/^[a-z_][a-z0-9_]*$/.test(c.name) ? c.name : `"${c.name}"`));
  const order = table.primary_key.length ? ` order by ${table.primary_key.join(', ')} desc` : '';
  return `select ${columns.join(', ')}\nfrom ${table.name}${order}\nlimit 100`;
}

/** The tables list and, for the chosen table, its columns, keys, indexes and newest rows. */
export function TableBrowser(props: { onQuery: (sql: string) => void }) {
  const [tables, setTables] = useState<Table[]>();
  const [selected, setSelected] = useState<Table>();
  const [sample, setSample] = useState<Result>();
  const load = useAction(async () => setTables(await allTables()));
  const sampling = useAction(async (table: Table) => {
    setSample(undefined);
    setSample(
      await ok(
        api.GET('/admin/db/tables/{name}/sample', { params: { path: { name: table.name }, query: { limit: 20 } } }),
      ),
    );
  });
  useEffect(() => void load.run(), []);

  const choose = (table: Table) => {
    setSelected(table);
    void sampling.run(table);
  };

  return (
    <div class="table-browser">
      <nav aria-label="Tables" class="table-list">
        <h2>Tables</h2>
        {load.error && <Alert>{load.error}</Alert>}
        {load.busy && <p>Loading tables…</p>}
        <ul>
          {tables?.map((t) => (
            <li key={t.name}>
              <button type="button" class="link" aria-pressed={selected?.name === t.name} onClick={() => choose(t)}>
                {t.name}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      {selected && (
        <section class="table-details" aria-labelledby="table-heading">
          <h2 id="table-heading">Table {selected.name}</h2>
          <button type="button" class="secondary" onClick={() => props.onQuery(selectStatement(selected))}>
            Query this table
          </button>
          <TableStructure table={selected} />
          <h3>Newest rows</h3>
          {sampling.error && <Alert>{sampling.error}</Alert>}
          {sampling.busy && <p>Loading rows…</p>}
          {sample && <ResultTable caption={`Sample of ${selected.name}`} columns={sample.columns} rows={sample.rows} />}
        </section>
      )}
    </div>
  );
}

function TableStructure({ table }: { table: Table }) {
  const keyOf = (column: string) => {
    const marks: string[] = [];
    if (table.primary_key.includes(column)) marks.push('primary key');
    for (const fk of table.foreign_keys) {
      const i = fk.columns.indexOf(column);
      if (i >= 0) marks.push(`→ ${fk.references.table}.${fk.references.columns[i] ?? ''}`);
    }
    return marks.join(', ');
  };
  return (
    <>
      <div class="result-scroll">
        <table class="result">
          <caption>Columns of {table.name}</caption>
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Type</th>
              <th scope="col">Nullable</th>
              <th scope="col">Key</th>
            </tr>
          </thead>
          <tbody>
            {table.columns.map((c) => (
              <tr key={c.name}>
                <td>{c.name}</td>
                <td>{c.type}</td>
                <td>{c.nullable ? 'yes' : 'no'}</td>
                <td>{keyOf(c.name)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Indexes</h3>
      {table.indexes.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul aria-label={`Indexes of ${table.name}`} class="indexes">
          {table.indexes.map((i) => (
            <li key={i.name}>
              <strong>{i.name}</strong> {i.primary ? '(primary key)' : i.unique ? '(unique)' : ''}{' '}
              <code>{i.definition}</code>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
