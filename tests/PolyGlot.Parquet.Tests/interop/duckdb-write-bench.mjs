// Times DuckDB's Parquet writer on one thread: loads a shard into an in-memory table (untimed), then
// writes it with COPY ... (FORMAT PARQUET) once per round, so only encoding, compression and file
// output are timed. Prints {"rows": n, "seconds": [round, ...], "cpuSeconds": [round, ...]}.
import { DuckDBInstance } from '@duckdb/node-api';

const [source, target, roundsText = '5', codec = 'zstd', levelText = '3'] = process.argv.slice(2);
if (!source || !target) {
  console.error('usage: node duckdb-write-bench.mjs SOURCE.parquet TARGET.parquet [ROUNDS] [CODEC] [ZSTD_LEVEL]');
  process.exit(2);
}
const literal = (path) => "'" + path.replaceAll("'", "''") + "'";
// ZSTD at the level PolyGlot.Parquet is given (3, its default, unless told otherwise).
const level = codec.toLowerCase() === 'zstd' ? `, COMPRESSION_LEVEL ${Number(levelText)}` : '';
const copy = `COPY shard TO ${literal(target)} (FORMAT PARQUET, COMPRESSION ${codec}${level})`;
try {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  await connection.run('SET threads = 1');
  await connection.run(`CREATE TABLE shard AS SELECT * FROM read_parquet(${literal(source)})`);
  const rows = (await connection.runAndReadAll('SELECT count(*)::BIGINT AS n FROM shard')).getRowObjectsJson()[0].n;
  await connection.run(copy);
  const seconds = [];
  const cpuSeconds = [];
  for (let round = 0; round < Number(roundsText); round++) {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    await connection.run(copy);
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
    const used = process.cpuUsage(cpu);
    cpuSeconds.push((used.user + used.system) / 1e6);
  }
  process.stdout.write(JSON.stringify({ rows, seconds, cpuSeconds }));
} catch (error) {
  console.error(String(error && error.message ? error.message : error));
  process.exit(1);
}
