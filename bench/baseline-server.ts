/**
 * The "physical limit" the benchmark compares Bounded against, measured in the same run:
 * a bare Fastify hello route, one primary-key SELECT through pg, and one INSERT through pg —
 * the least work an endpoint doing the same job can do in one Node process.
 */
import Fastify from 'fastify';
import pg from 'pg';

const url = process.env.BENCH_DATABASE_URL;
const port = Number(process.env.PORT ?? 0);
if (!url) throw new Error('BENCH_DATABASE_URL is required');

const pool = new pg.Pool({ connectionString: url, max: 10 });
await pool.query('create schema if not exists bench');
await pool.query(
  'create table if not exists bench.raw_rows (id bigint primary key, email text not null, name text not null)',
);
await pool.query('truncate bench.raw_rows');
await pool.query(
  "insert into bench.raw_rows select g, 'user' || g || '@example.com', 'User ' || g from generate_series(1, 1000) as g",
);
let next = 1_000_000;

// Request logging on, like the app: the comparison must not flatter the baseline.
const app = Fastify({ logger: { level: 'info' } });
app.get('/hello', async () => ({ hello: 'world' }));
app.get<{ Params: { id: string } }>('/raw/:id', async (request, reply) => {
  const { rows } = await pool.query('select id, email, name from bench.raw_rows where id = $1', [
    request.params.id,
  ]);
  return rows[0] ?? reply.status(404).send({ error: 'not found' });
});
app.post('/raw-insert', async (_request, reply) => {
  next += 1;
  const { rows } = await pool.query(
    'insert into bench.raw_rows (id, email, name) values ($1, $2, $3) returning id',
    [next, `new${next}@example.com`, 'New'],
  );
  return reply.status(201).send(rows[0]);
});
app.addHook('onClose', () => pool.end());
await app.listen({ port, host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
