// Times DuckDB reading a token shard on one thread: the query sums the length and the values of every
// input_ids list, so each token is decoded. Prints
// {"tokens": n, "sum": s, "seconds": [round, ...], "cpuSeconds": [round, ...]}.
import { DuckDBInstance } from '@duckdb/node-api';

const [path, roundsText = '5'] = process.argv.slice(2);
if (!path) {
  console.error('usage: node duckdb-bench.mjs FILE [ROUNDS]');
  process.exit(2);
}
const literal = "'" + path.replaceAll("'", "''") + "'";
const sql = `SELECT sum(len(input_ids))::BIGINT AS tokens, sum(list_sum(input_ids))::BIGINT AS total FROM read_parquet(${literal})`;
try {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  await connection.run('SET threads = 1');
  let result = (await connection.runAndReadAll(sql)).getRowObjectsJson()[0];
  const seconds = [];
  const cpuSeconds = [];
  for (let round = 0; round < Number(roundsText); round++) {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    result = (await connection.runAndReadAll(sql)).getRowObjectsJson()[0];
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
    const used = process.cpuUsage(cpu);
    cpuSeconds.push((used.user + used.system) / 1e6);
  }
  process.stdout.write(JSON.stringify({ tokens: result.tokens, sum: result.total, seconds, cpuSeconds }));
} catch (error) {
  console.error(String(error && error.message ? error.message : error));
  process.exit(1);
}
