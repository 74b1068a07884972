/**
 * `npm run bench`: measures Bounded against raw baselines measured in the same run, on a
 * PostgreSQL server (BENCH_DATABASE_URL, or a throw-away one started by scripts/test-postgres.sh),
 * one app process, autocannon with 50 connections and BENCH_DURATION seconds (default 10) per case,
 * each after BENCH_WARMUP seconds (default 3) of the same load that are not measured (JIT warm-up).
 * A case compared with a baseline has the baseline measured again right before it.
 * Prints a table of req/s, p50, p99 and the ratio to the baseline, and writes it to bench/results/.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { type Kysely as KyselyOf, sql } from 'kysely';
import pg from 'pg';
import { insertBenchmarkBooks } from '../src/contexts/catalog/infrastructure/benchmark-books.ts';
import { insertBenchmarkProjects } from '../src/contexts/projects/infrastructure/benchmark-projects.ts';
import { systemClock } from '../src/shared/domain/clock.ts';
import { Id, SnowflakeIdGenerator } from '../src/shared/domain/id.ts';
import { openDatabase } from '../src/shared/infrastructure/database.ts';
import { JwtAccessTokens } from '../src/shared/infrastructure/jwt-access-tokens.ts';
import { benchmarkRelay } from '../src/shared/infrastructure/relay-benchmark.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
type Kysely = KyselyOf<unknown>;
const duration = Number(process.env.BENCH_DURATION ?? 10);
/** Seconds of the same load before each measured case, unmeasured: both sides are compared warm. */
const warmup = Number(process.env.BENCH_WARMUP ?? 3);
const connections = 50;

interface Row {
  readonly name: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly baseline?: string;
  readonly ratio?: number;
  readonly target?: string;
  readonly ok?: boolean;
  readonly note?: string;
}

const rows: Row[] = [];
/** The Argon2 ceiling's row, and what a hashing endpoint is held to: 0.8 × it. */
const ARGON2 = 'baseline: argon2id hashes/s (50 in flight)';
const AGAINST_ARGON2 = { baseline: ARGON2, factor: 0.8 };
const notes: string[] = [];

// ---------------------------------------------------------------- processes

/** The app runs exactly as `npm start` runs it (same Node flags). */
const startArgs = (
  JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start
  .split(/\s+/)
  .slice(1);

function startServer(script: string, env: Record<string, string>): ChildProcess {
  const args = script === 'src/main.ts' ? startArgs : [script];
  return spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitFor(url: string, timeoutMs = 30_000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    try {
      if ((await fetch(url)).ok) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Highest resident set size of a process while `work` runs, in MiB. */
async function peakRss<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peakMiB: number }> {
  let peak = 0;
  const sample = async () => {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    peak = Math.max(peak, kb / 1024);
  };
  const timer = setInterval(() => void sample(), 200);
  try {
    const result = await work();
    await sample();
    return { result, peakMiB: peak };
  } finally {
    clearInterval(timer);
  }
}

// ---------------------------------------------------------------- load

type Request = autocannon.Request;

async function load(
  url: string,
  requests: Request[],
  cpuOf?: number,
): Promise<{ rps: number; p50: number; p99: number; errors: number; cpu?: CpuTime }> {
  if (warmup > 0) await autocannon({ url, connections, duration: warmup, requests });
  const before = cpuOf === undefined ? undefined : await cpuTime(cpuOf);
  const result = await autocannon({ url, connections, duration, requests });
  const after = cpuOf === undefined ? undefined : await cpuTime(cpuOf);
  const bad = result.errors + result.timeouts + result.non2xx;
  const cpu = before && after ? perRequest(before, after, result.requests.total) : undefined;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: bad,
    ...(cpu ? { cpu } : {}),
  };
}

// ---------------------------------------------------------------- CPU time

/**
 * Milliseconds of CPU time: the app's main thread, the threads where it hashes passwords (its own
 * hashing threads, and libuv's pool, where async library calls run), the whole app, the machine.
 */
interface CpuTime {
  readonly main: number;
  readonly pool: number;
  readonly app: number;
  readonly machine: number;
}

/** Thread names (15 characters at most, as Linux keeps them) of where the app hashes. */
const HASHING_THREAD = /^(password hashin|libuv-worker)/;
const tickMs = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || 100);

/** What a process's threads and the whole machine have used so far (Linux's /proc; undefined elsewhere). */
async function cpuTime(pid: number): Promise<CpuTime | undefined> {
  try {
    let main = 0;
    let pool = 0;
    let app = 0;
    for (const tid of await readdir(`/proc/${pid}/task`)) {
      const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => '');
      const end = stat.lastIndexOf(')');
      if (end < 0) continue; // the thread ended between the listing and the read
      const fields = stat.slice(end + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * tickMs; // utime + stime
      app += ms;
      if (tid === String(pid)) main += ms;
      else if (HASHING_THREAD.test(stat.slice(stat.indexOf('(') + 1, end))) pool += ms;
    }
    const all = (await readFile('/proc/stat', 'utf8'))
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    // user, nice, system, irq, softirq: not idle, not waiting for I/O, not stolen by the hypervisor.
    const machine = ((all[0] ?? 0) + (all[1] ?? 0) + (all[2] ?? 0) + (all[5] ?? 0) + (all[6] ?? 0)) * tickMs;
    return { main, pool, app, machine };
  } catch {
    return undefined;
  }
}

function perRequest(before: CpuTime, after: CpuTime, requests: number): CpuTime | undefined {
  if (requests === 0) return undefined;
  const each = (key: keyof CpuTime) => (after[key] - before[key]) / requests;
  return { main: each('main'), pool: each('pool'), app: each('app'), machine: each('machine') };
}

/** Set once the app's database is open: every case then starts with no outbox work pending. */
let outboxDb: Kysely | undefined;

/**
 * Waits until the relay has nothing pending, so one case's leftovers (a sign-up's welcome mail and
 * example project) are not delivered during the next case and counted against it.
 */
async function outboxQuiet(): Promise<void> {
  if (outboxDb === undefined) return;
  const deadline = performance.now() + 120_000;
  while (performance.now() < deadline) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from shared.outbox_deliveries where status = 'pending'`.execute(outboxDb);
    if (rows[0]?.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * How to measure each baseline again. A case compared with a baseline has it measured again just
 * before it: this machine's speed drifts over a run (±20 % and more), and a ratio to a baseline
 * measured minutes earlier would carry that drift.
 */
const baselines = new Map<string, () => Promise<number>>();

async function measure(
  name: string,
  url: string,
  requests: Request[],
  compare?: { baseline: string; factor: number },
  cpuOf?: number,
): Promise<Row> {
  if (name.startsWith('baseline: ')) baselines.set(name, async () => (await load(url, requests)).rps);
  await outboxQuiet();
  const baselineRps = compare ? await baselines.get(compare.baseline)?.() : undefined;
  const result = await load(url, requests, cpuOf);
  const ratio = baselineRps ? result.rps / baselineRps : undefined;
  const row: Row = {
    name,
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    ...(compare ? { baseline: compare.baseline, target: `≥ ${compare.factor} ×` } : {}),
    ...(ratio !== undefined ? { ratio, ok: ratio >= (compare?.factor ?? 0) && result.errors === 0 } : {}),
    ...(result.errors > 0 || baselineRps
      ? {
          note: [
            baselineRps ? `(baseline just before: ${Math.round(baselineRps).toLocaleString('en-US')})` : '',
            result.errors > 0 ? `${result.errors} failed responses` : '',
          ]
            .filter(Boolean)
            .join(' '),
        }
      : {}),
  };
  rows.push(row);
  process.stderr.write(
    `  ${name}: ${Math.round(row.rps)} req/s, p99 ${row.p99} ms${ratio ? `, ${ratio.toFixed(2)} ×` : ''}\n`,
  );
  if (result.cpu) rows.push(cpuRow(result.cpu, compare?.factor));
  return row;
}

/**
 * Where a hashing endpoint's CPU goes, per request. Beside the machine's total: Argon2 (the
 * app's hashing threads), the app's main thread, and everything outside the app (PostgreSQL, autocannon, the
 * kernel's own work). At `factor` × the ceiling, the machine (saturated) may spend at most
 * 1 ÷ `factor` of a hash per request, so everything but the hash has (1 ÷ `factor` − 1) of one.
 */
function cpuRow(cpu: CpuTime, factor = 0.8): Row {
  const ms = (n: number) => n.toFixed(2);
  const hash = lastCeiling?.hashCpuMs;
  const beside = cpu.machine - cpu.pool;
  return {
    name: '… its CPU per request (ms), whole machine',
    rps: cpu.machine,
    p50: 0,
    p99: 0,
    note: [
      `Argon2 (the hashing threads) ${ms(cpu.pool)}, the app's main thread ${ms(cpu.main)}, the rest of the app ${ms(cpu.app - cpu.pool - cpu.main)}, outside the app ${ms(cpu.machine - cpu.app)}: ${ms(beside)} beside Argon2`,
      hash
        ? `; a hash alone costs ${ms(hash)}, and ${factor} × the ceiling leaves ${ms(hash * (1 / factor - 1))} beside it (the ceiling just before: ${lastCeiling?.byPool})`
        : '',
    ].join(''),
  };
}

// ---------------------------------------------------------------- database

async function benchDatabase(): Promise<{ url: string; cleanup: () => Promise<void> }> {
  let serverUrl = process.env.BENCH_DATABASE_URL;
  let stopServer = async (): Promise<void> => {};
  if (!serverUrl) {
    const port = process.env.BENCH_PG_PORT ?? '55450';
    serverUrl = execFileSync('bash', [join(root, 'scripts/test-postgres.sh'), 'start', port], {
      encoding: 'utf8',
    }).trim();
    stopServer = async () => {
      execFileSync('bash', [join(root, 'scripts/test-postgres.sh'), 'stop', port], { stdio: 'ignore' });
    };
  }
  const name = `bounded_bench_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    cleanup: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
      await stopServer();
    },
  };
}

// ---------------------------------------------------------------- the run

async function main(): Promise<void> {
  const database = await benchDatabase();
  const baselinePort = 18_500;
  const appPort = 18_501;
  const secret = 'bench-secret-bench-secret-bench-secret-0123456789';
  const appEnv = {
    FIRST_SUPERUSER_EMAIL: 'root@bench.example',
    FIRST_SUPERUSER_PASSWORD: 'Bench-Root-1!',
    DATABASE_URL: database.url,
    PORT: String(appPort),
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
    JWT_SECRET: secret,
    RATE_LIMIT_TOKEN_PER_IP: '1000000',
    RATE_LIMIT_TOKEN_PER_ACCOUNT: '1000000',
  };
  // Tokens minted the way the app mints them (same secret, issuer, audience): no sign-in per member.
  const tokens = new JwtAccessTokens({
    secret,
    ttlSeconds: 3600,
    issuer: 'bounded',
    audience: 'bounded-api',
    clock: systemClock,
  });
  const bearer = (memberId: string, role: 'member' | 'superuser' = 'member') => ({
    authorization: `Bearer ${tokens.issue({ memberId: Id.of(memberId), role }).token}`,
  });
  const cleanups: (() => Promise<void>)[] = [database.cleanup];
  try {
    process.stderr.write('starting the baseline server and the app\n');
    const baseline = startServer('bench/baseline-server.ts', {
      BENCH_DATABASE_URL: database.url,
      PORT: String(baselinePort),
    });
    cleanups.unshift(() => stop(baseline));
    await waitFor(`http://127.0.0.1:${baselinePort}/hello`);

    // The first start migrates the empty database; the second is the one we time and load.
    const first = startServer('src/main.ts', appEnv);
    await waitFor(`http://127.0.0.1:${appPort}/api/v1/health/ready`);
    await stop(first);
    const spawnedAt = performance.now();
    const app = startServer('src/main.ts', appEnv);
    cleanups.unshift(() => stop(app));
    await waitFor(`http://127.0.0.1:${appPort}/api/v1/health/ready`);
    const startServerMs = performance.now() - spawnedAt;
    const pgliteStartMs = await pgliteStartup(appPort + 10);

    const base = `http://127.0.0.1:${appPort}`;
    const ids = await seedMembers(base, 100);
    const root = bearer(await signIn(base, 'root@bench.example', 'Bench-Root-1!'), 'superuser');
    const database2 = await openDatabase<unknown>({ kind: 'postgres', url: database.url }, { poolSize: 4 });
    const db = database2.db;
    cleanups.unshift(() => database2.close());
    outboxDb = db;

    process.stderr.write('measuring\n');
    const { peakMiB } = await peakRss(app.pid!, async () => {
      await measure('baseline: Fastify hello (request logging on)', `http://127.0.0.1:${baselinePort}`, [
        { method: 'GET', path: '/hello' },
      ]);
      await measure('GET /api/v1/health', base, [{ method: 'GET', path: '/api/v1/health' }], {
        baseline: 'baseline: Fastify hello (request logging on)',
        factor: 0.7,
      });
      let i = 0;
      await measure('baseline: raw SELECT by id (pg)', `http://127.0.0.1:${baselinePort}`, [
        {
          method: 'GET',
          setupRequest: (req) => {
            i += 1;
            return { ...req, path: `/raw/${(i % 1000) + 1}` };
          },
        },
      ]);
      let j = 0;
      await measure(
        'GET /api/v1/members/{id}',
        base,
        [
          {
            method: 'GET',
            headers: root,
            setupRequest: (req) => {
              j += 1;
              return { ...req, path: `/api/v1/members/${ids[j % ids.length]}` };
            },
          },
        ],
        { baseline: 'baseline: raw SELECT by id (pg)', factor: 0.8 },
      );
      await measure('baseline: raw INSERT (pg)', `http://127.0.0.1:${baselinePort}`, [
        { method: 'POST', path: '/raw-insert' },
      ]);
      const argon2 = await argon2Ceiling();
      rows.push({
        name: ARGON2,
        rps: argon2,
        p50: 0,
        p99: 0,
        note: `(the higher of ${lastCeiling?.byPool})`,
      });
      baselines.set(ARGON2, argon2Ceiling);
      await measure(
        'POST /api/v1/members (sign-up, argon2id)',
        base,
        [signUps('load')],
        AGAINST_ARGON2,
        app.pid,
      );
      await authCases(base, ids, root, bearer, app.pid);
      await catalogCases(base, db, bearer(ids[0]!));
      await projectsCases(base, db, ids, bearer);
      await relayCases(db);
    });

    await stop(app);
    const noRelay = startServer('src/main.ts', { ...appEnv, OUTBOX_RELAY: 'false' });
    cleanups.unshift(() => stop(noRelay));
    await waitFor(`http://127.0.0.1:${appPort}/api/v1/health/ready`);
    await measure(
      'POST /api/v1/members with OUTBOX_RELAY=false (compare: relay running, above)',
      base,
      [signUps('norelay')],
      undefined,
      noRelay.pid,
    );
    rows.push({
      name: 'app RSS under load (MiB)',
      rps: peakMiB,
      p50: 0,
      p99: 0,
      target: '≤ 256',
      ok: peakMiB <= 256,
    });
    rows.push({
      name: 'start to ready, PostgreSQL server (ms)',
      rps: startServerMs,
      p50: 0,
      p99: 0,
      target: '≤ 1000',
      ok: startServerMs <= 1000,
    });
    rows.push({
      name: 'start to ready, PGlite (ms)',
      rps: pgliteStartMs,
      p50: 0,
      p99: 0,
      target: '≤ 4000',
      ok: pgliteStartMs <= 4000,
    });
  } finally {
    for (const cleanup of cleanups)
      await cleanup().catch((error: unknown) => process.stderr.write(`cleanup: ${String(error)}\n`));
  }
  await report();
}

/** New members with unique emails (`<prefix><n>-<ms>@example.com`): one Argon2 hash each. */
function signUps(prefix: string): Request {
  let n = 0;
  return {
    method: 'POST',
    path: '/api/v1/members',
    headers: { 'content-type': 'application/json' },
    setupRequest: (req) => {
      n += 1;
      const email = `${prefix}${n}-${Date.now()}@example.com`;
      return { ...req, body: JSON.stringify({ email, passwd: 'Bench-Pass-1!', name: 'Load' }) };
    },
  };
}

async function seedMembers(base: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const response = await fetch(`${base}/api/v1/members`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `seed${i}@example.com`, passwd: 'Bench-Pass-1!', name: `Seed ${i}` }),
    });
    if (response.status !== 201)
      throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
    ids.push(((await response.json()) as { id: string }).id);
  }
  return ids;
}

/** The last ceiling measured: the CPU time one hash cost (ms), and each pool size's hashes/s. */
let lastCeiling: { readonly hashCpuMs: number; readonly byPool: string } | undefined;

/**
 * Argon2id hashes per second at 50 in flight, measured twice: with libuv's pool at its default
 * size (4 threads) and at one thread per CPU. The higher is the ceiling. On a machine with fewer
 * than 4 CPUs the default pool runs more hashes at once than there are cores, and they take turns
 * with 19 MiB each: on 2 cores, a quarter fewer hashes per second.
 */
async function argon2Ceiling(): Promise<number> {
  const sizes = [...new Set([4, availableParallelism()])];
  const runs = sizes.map((size) => {
    const output = execFileSync(process.execPath, ['bench/argon2-ceiling.ts'], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        CONCURRENCY: String(connections),
        DURATION: String(duration),
        UV_THREADPOOL_SIZE: String(size),
      },
    });
    return { size, ...(JSON.parse(output) as { perSecond: number; cpuMsPerHash: number }) };
  });
  const best = runs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  lastCeiling = {
    hashCpuMs: best.cpuMsPerHash,
    byPool: runs.map((run) => `${Math.round(run.perSecond)}/s with ${run.size} pool threads`).join(', '),
  };
  return best.perSecond;
}

/** Start to ready on an existing PGlite data folder (the second start: the first one creates it). */
async function pgliteStartup(port: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'bounded-bench-pglite-'));
  try {
    const env = { DATABASE_URL: `pglite://${join(dir, 'db')}`, PORT: String(port), LOG_LEVEL: 'warn' };
    const first = startServer('src/main.ts', env);
    await waitFor(`http://127.0.0.1:${port}/api/v1/health/ready`, 60_000);
    await stop(first);
    const spawnedAt = performance.now();
    const second = startServer('src/main.ts', env);
    await waitFor(`http://127.0.0.1:${port}/api/v1/health/ready`, 60_000);
    const ms = performance.now() - spawnedAt;
    await stop(second);
    return ms;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function signIn(base: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${base}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username, password }),
  });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const { access_token } = (await response.json()) as { access_token: string };
  return JSON.parse(Buffer.from(access_token.split('.')[1]!, 'base64url').toString()).sub as string;
}

type Bearer = (memberId: string, role?: 'member' | 'superuser') => { authorization: string };

async function authCases(
  base: string,
  ids: string[],
  root: { authorization: string },
  bearer: Bearer,
  appPid: number | undefined,
): Promise<void> {
  await measure(
    'GET /api/v1/members/me',
    base,
    [{ method: 'GET', path: '/api/v1/members/me', headers: root }],
    {
      baseline: 'baseline: raw SELECT by id (pg)',
      factor: 0.7,
    },
  );
  const login = (counter: { n: number }): Request => ({
    method: 'POST',
    path: '/api/v1/auth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    setupRequest: (req) => {
      counter.n += 1;
      const body = new URLSearchParams({
        grant_type: 'password',
        username: `seed${counter.n % ids.length}@example.com`,
        password: 'Bench-Pass-1!',
      });
      return { ...req, body: body.toString() };
    },
  });
  await measure(
    'POST /api/v1/auth/token (password grant, argon2id)',
    base,
    [login({ n: 0 })],
    AGAINST_ARGON2,
    appPid,
  );
  // Token checks are synchronous HMACs: they must not queue behind Argon2.
  const meRequest: Request = { method: 'GET', path: '/api/v1/members/me', headers: bearer(ids[1]!) };
  const [me] = await Promise.all([
    autocannon({ url: base, connections: 25, duration, requests: [meRequest] }),
    autocannon({ url: base, connections: 25, duration, requests: [login({ n: 0 })] }),
  ]);
  rows.push({
    name: 'GET /api/v1/members/me (25 conns) while 25 conns sign in',
    rps: me.requests.average,
    p50: me.latency.p50,
    p99: me.latency.p99,
  });
}

async function catalogCases(base: string, db: Kysely, writer: { authorization: string }): Promise<void> {
  process.stderr.write('  adding 50 authors, loading 100,000 books (one author each)\n');
  const authorIds: Id[] = [];
  for (let n = 0; n < 50; n += 1) {
    const response = await fetch(`${base}/api/v1/authors`, {
      method: 'POST',
      headers: { ...writer, 'content-type': 'application/json' },
      body: JSON.stringify({ first_name: `Author${n}`, last_name: 'Bench', age: 40, biography: null }),
    });
    if (response.status !== 201) throw new Error(`POST /authors answered ${response.status}`);
    authorIds.push(Id.of(((await response.json()) as { id: string }).id));
  }
  const tools = { clock: systemClock, ids: new SnowflakeIdGenerator(1001, systemClock) };
  // So that GET /books/{id} reads what its name says: a book with its author's name.
  await insertBenchmarkBooks(db, tools, 100_000, { authorIds });
  const { rows: books } = await sql<{
    id: string;
  }>`select id from catalog.books order by id limit 1000`.execute(db);
  let i = 0;
  await measure(
    'GET /api/v1/books/{id} (with authors)',
    base,
    [
      {
        method: 'GET',
        setupRequest: (req) => {
          i += 1;
          return { ...req, path: `/api/v1/books/${books[i % books.length]!.id}` };
        },
      },
    ],
    { baseline: 'baseline: raw SELECT by id (pg)', factor: 0.75 },
  );
  // The issue's case: a term of 3 or more characters matching about 10 of the 100,000 books. The
  // loader numbers its books 1 … 100,000, so "0424" is in 10424, 20424 … 90424: nine titles. It is
  // a number a reader might search for, and its trigrams are selective (unlike "no. ", which is in
  // every title: the index then reads every entry of that trigram).
  const rare = await titleSearch(base, '0424', { atLeast: 5, atMost: 15 });
  const search = await measure(
    `GET /api/v1/books?title=0424 (${rare} of 100,000)`,
    base,
    [{ method: 'GET', path: '/api/v1/books?title=0424' }],
    { baseline: 'baseline: raw SELECT by id (pg)', factor: 0.5 },
  );
  rows.push({
    name: '… that search, p99 (ms)',
    rps: search.p99,
    p50: 0,
    p99: 0,
    target: '≤ 50',
    ok: search.p99 <= 50,
  });
  // For comparison, no target: a term matching twice as many, a full page of 20 (4242, 14242 …
  // 42420 … 94242). Until 2026-12 this was the case measured against the target.
  const full = await titleSearch(base, '4242', { atLeast: 20, atMost: 20 });
  await measure(`GET /api/v1/books?title=4242 (${full} of 100,000: a full page)`, base, [
    { method: 'GET', path: '/api/v1/books?title=4242' },
  ]);
  let n = 0;
  await measure(
    'POST /api/v1/books',
    base,
    [
      {
        method: 'POST',
        path: '/api/v1/books',
        headers: { ...writer, 'content-type': 'application/json' },
        setupRequest: (req) => {
          n += 1;
          const book = {
            title: `Bench book ${n}`,
            isbn: isbn13(`9799${String(n).padStart(8, '0')}`), // the bulk loader uses 9790…
            pages: 100,
            price: { amount: 15_000, currency: 'KRW' },
            publication_year: 2020,
          };
          return { ...req, body: JSON.stringify(book) };
        },
      },
    ],
    { baseline: 'baseline: raw INSERT (pg)', factor: 0.5 },
  );
}

/** How many books a title search finds (up to 100); throws when outside the bounds the case needs. */
async function titleSearch(
  base: string,
  term: string,
  bounds: { atLeast: number; atMost: number },
): Promise<number> {
  const response = await fetch(`${base}/api/v1/books?title=${encodeURIComponent(term)}&limit=100`);
  const found = ((await response.json()) as { items: unknown[] }).items.length;
  if (found < bounds.atLeast || found > bounds.atMost)
    throw new Error(`a search for "${term}" found ${found} books, not ${bounds.atLeast}–${bounds.atMost}`);
  return found;
}

/** A valid ISBN-13 from its first 12 digits. */
function isbn13(stem: string): string {
  const sum = [...stem].reduce((acc, d, k) => acc + Number(d) * (k % 2 === 0 ? 1 : 3), 0);
  return `${stem}${(10 - (sum % 10)) % 10}`;
}

async function projectsCases(base: string, db: Kysely, ids: string[], bearer: Bearer): Promise<void> {
  const owners = ids.slice(0, 20);
  const tools = { clock: systemClock, ids: new SnowflakeIdGenerator(1002, systemClock) };
  await insertBenchmarkProjects(
    db,
    tools,
    owners.map((id) => Id.of(id)),
    { projectsPerMember: 50 },
  );
  const headers = owners.map((owner) => bearer(owner));
  let i = 0;
  await measure(
    'GET /api/v1/projects (first page of 20, with counts; 50 per member)',
    base,
    [
      {
        method: 'GET',
        path: '/api/v1/projects?limit=20',
        setupRequest: (req) => {
          i += 1;
          return { ...req, headers: { ...req.headers, ...headers[i % headers.length] } };
        },
      },
    ],
    { baseline: 'baseline: raw SELECT by id (pg)', factor: 0.5 },
  );
  const { rows: active } = await sql<{ id: string; owner_id: string }>`
    select id, owner_id from projects.projects
     where status = 'active' and deleted_at is null and max_incomplete_tasks is null
       and owner_id in (${sql.join(owners)})
     order by id`.execute(db);
  const targets = active.map((p) => ({ id: p.id, auth: bearer(p.owner_id) }));
  const addTask = (pick: () => { id: string; auth: { authorization: string } }): Request => ({
    method: 'POST',
    body: JSON.stringify({ name: 'Bench task' }),
    setupRequest: (req) => {
      const project = pick();
      return {
        ...req,
        path: `/api/v1/projects/${project.id}/tasks`,
        headers: { 'content-type': 'application/json', ...project.auth },
      };
    },
  });
  let j = 0;
  await measure(
    `POST /api/v1/projects/{id}/tasks (spread over ${targets.length} projects)`,
    base,
    [
      addTask(() => {
        j += 1;
        return targets[j % targets.length]!;
      }),
    ],
    { baseline: 'baseline: raw INSERT (pg)', factor: 0.4 },
  );
  await measure('POST /api/v1/projects/{id}/tasks (one project: serialised by its row lock)', base, [
    addTask(() => targets[0]!),
  ]);
}

async function relayCases(db: Kysely): Promise<void> {
  // Like every ratio here, to the baseline measured again just before.
  const insertRps = await baselines.get('baseline: raw INSERT (pg)')?.();
  // The target is a rate with a latency: producers offer 2,500 events/s (a quarter above it), evenly
  // spaced, 5 per commit, and each event's commit → subscriber time is measured. Latency with the
  // producers offering more than the relays deliver would only measure how long the queue grew.
  process.stderr.write('  relay: 10,000 events offered at 2,500/s, 5 per commit\n');
  const result = await benchmarkRelay({
    db,
    events: 10_000,
    producers: 4,
    relays: 2,
    eventsPerCommit: 5,
    ratePerSecond: 2_500,
  });
  rows.push({
    name: 'outbox relay: deliveries/s to a no-op subscriber, 2,500 events/s offered (5 per commit, 2 relays); commit → subscriber latency',
    rps: result.deliveriesPerSecond,
    p50: result.latencyMs.p50,
    p99: result.latencyMs.p99,
    ...(insertRps
      ? {
          baseline: 'baseline: raw INSERT (pg)',
          ratio: result.deliveriesPerSecond / insertRps,
          note: `(baseline just before: ${Math.round(insertRps).toLocaleString('en-US')})`,
        }
      : {}),
    target: '≥ 2,000/s, p50 ≤ 20, p99 ≤ 100',
    ok: result.deliveriesPerSecond >= 2000 && result.latencyMs.p50 <= 20 && result.latencyMs.p99 <= 100,
  });
  // Capacity: 4 producers as fast as they can commit, 5 events per commit.
  process.stderr.write('  relay: 10,000 events, unpaced, 5 per commit\n');
  const unpaced = await benchmarkRelay({ db, events: 10_000, producers: 4, relays: 2, eventsPerCommit: 5 });
  rows.push({
    name: '… the same with the producers unpaced (capacity; latency holds while the relays keep up)',
    rps: unpaced.deliveriesPerSecond,
    p50: unpaced.latencyMs.p50,
    p99: unpaced.latencyMs.p99,
  });
  process.stderr.write('  relay: 5,000 events, 1 per commit\n');
  const single = await benchmarkRelay({ db, events: 5_000, producers: 4, relays: 2 });
  rows.push({
    name: '… the same with one event per commit (bound by the producers)',
    rps: single.deliveriesPerSecond,
    p50: single.latencyMs.p50,
    p99: single.latencyMs.p99,
  });
}

async function report(): Promise<void> {
  const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
  const lines = [
    `| case | req/s (or value) | p50 ms | p99 ms | ratio | target | ok |`,
    `|---|---:|---:|---:|---:|---|:-:|`,
    ...rows.map(
      (row) =>
        `| ${row.name} | ${fmt(row.rps)} | ${row.p50 || ''} | ${row.p99 || ''} | ${row.ratio === undefined ? '' : `${row.ratio.toFixed(2)} ×`} | ${row.target ? `${row.target}${row.baseline ? ` ${row.baseline.replace(/^baseline: /, '')}` : ''}` : ''} | ${row.ok === undefined ? '' : row.ok ? '✅' : '❌'}${row.note ? ` ${row.note}` : ''} |`,
    ),
  ];
  const header = `Measured ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, autocannon ${connections} connections × ${duration} s per case after ${warmup} s of warm-up, PostgreSQL server, one app process; each ratio is to its baseline measured again just before the case.`;
  const text = `${header}\n\n${lines.join('\n')}\n${notes.length ? `\n${notes.join('\n')}\n` : ''}`;
  process.stdout.write(`\n${text}`);
  const dir = join(root, 'bench/results');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'latest.md'), text);
  await writeFile(join(dir, `${new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-')}.md`), text);
}

await main();
