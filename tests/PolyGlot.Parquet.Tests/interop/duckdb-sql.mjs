// Runs SQL statements (one per argument) in an in-memory DuckDB and prints the rows of the last one
// as JSON ({"rows": [...]}, BIGINTs as strings). Tests use it to have DuckDB write Parquet files and
// to compute aggregates of files written by PolyGlot.Parquet, so results are compared in SQL terms.
import { DuckDBInstance } from '@duckdb/node-api';

const statements = process.argv.slice(2);
if (statements.length === 0) {
  console.error('usage: node duckdb-sql.mjs "<sql>" ["<sql>" ...]');
  process.exit(2);
}
try {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  let reader = null;
  for (const sql of statements) reader = await connection.runAndReadAll(sql);
  process.stdout.write(JSON.stringify({ rows: reader.getRowObjectsJson() }));
} catch (error) {
  console.error(String(error && error.message ? error.message : error));
  process.exit(1);
}
