import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, npmScriptArgs, startProcess } from '../support/process.ts';

describe('npm start, as a real process on an empty data folder', () => {
  const folders: string[] = [];
  afterAll(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  it('serves health and a create/get round trip, then stops cleanly on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'bounded-e2e-'));
    folders.push(dataDir);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}/api/v1`;
    const server = await startProcess(
      npmScriptArgs('start'),
      { DATABASE_URL: `pglite://${join(dataDir, 'db')}`, PORT: String(port), NODE_ENV: 'development' },
      'Bounded is ready',
    );
    try {
      expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' });
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);

      const created = await fetch(`${base}/members`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'e2e@example.com', passwd: 'Correct-Horse-9', name: 'End To End' }),
      });
      expect(created.status).toBe(201);
      const location = created.headers.get('location');
      const token = await fetch(`${base}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'password',
          username: 'e2e@example.com',
          password: 'Correct-Horse-9',
        }),
      });
      const { access_token } = (await token.json()) as { access_token: string };
      const fetched = await fetch(`http://127.0.0.1:${port}${location}`, {
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(fetched.status).toBe(200);
      expect(await fetched.json()).toMatchObject({ email: 'e2e@example.com', name: 'End To End' });
      expect(fetched.headers.get('x-request-id')).toBeTruthy();
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/shutting down/);
    expect((await readdir(join(dataDir, 'db'))).length).toBeGreaterThan(0);
  });

  it('refuses to start on a bad setting, naming the variable in one line', async () => {
    const port = await freePort();
    const attempt = startProcess(
      npmScriptArgs('start'),
      { PORT: 'eighty', DATABASE_URL: 'memory://' },
      'Bounded is ready',
    );
    await expect(attempt).rejects.toThrow(/Invalid PORT="eighty": an integer from 0 to 65535/);
    expect(port).toBeGreaterThan(0);
  });

  it('stops in one line when its PostgreSQL server does not answer, after DATABASE_CONNECT_TIMEOUT_MS', async () => {
    // Accepts connections and never answers: a dead route or a hung proxy, not a refused port.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const attempt = startProcess(
        npmScriptArgs('start'),
        {
          PORT: String(await freePort()),
          DATABASE_URL: `postgres://app:s3cret@127.0.0.1:${port}/bounded`,
          DATABASE_CONNECT_TIMEOUT_MS: '300',
        },
        'Bounded is ready',
      );
      const failure = await attempt.then(
        () => undefined,
        (error: unknown) => (error as Error).message,
      );
      expect(failure).toMatch(/^exited with 1 before it was ready/);
      const lines = failure!.split('\n').filter((line) => line.trim() !== '');
      expect(lines.at(-1)).toMatch(
        new RegExp(
          `^Bounded could not start: the database at 127\\.0\\.0\\.1:${port} cannot be reached \\(.+\\); check DATABASE_URL, and DATABASE_CONNECT_TIMEOUT_MS \\(300 ms\\)`,
        ),
      );
      expect(failure).not.toContain('s3cret');
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it("turns Node's compile cache on before the first TypeScript module loads (a warm start never loads the type stripper)", async () => {
    const flags = npmScriptArgs('start').slice(0, -1); // everything before the entry module
    const probe =
      "import { getCompileCacheDir } from 'node:module'; console.log(getCompileCacheDir() ?? 'off')";
    const { NODE_COMPILE_CACHE: _, ...env } = process.env; // off unless something turns it on
    const cacheDir = async (args: string[]) =>
      (
        await promisify(execFile)(process.execPath, [...args, '--input-type=module', '-e', probe], { env })
      ).stdout.trim();
    expect(await cacheDir([])).toBe('off');
    expect(await cacheDir(flags)).not.toBe('off');
  });
});
