import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, type RunningProcess, startProcess } from '../support/process.ts';

describe('signing in against the real process', () => {
  const folders: string[] = [];
  afterAll(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  it('signs up, gets tokens, reads /members/me, refreshes and signs out; tokens outlive a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'bounded-e2e-auth-'));
    folders.push(dataDir);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}/api/v1`;
    const env = {
      DATABASE_URL: `pglite://${join(dataDir, 'db')}`,
      PORT: String(port),
      NODE_ENV: 'development',
    };
    const start = () => startProcess(['src/main.ts'], env, 'Bounded is ready');
    const stop = async (server: RunningProcess) => {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    };
    const form = (params: Record<string, string>) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });

    let server = await start();
    let access: string;
    let refreshToken: string;
    try {
      expect(server.output()).toMatch(
        /JWT_SECRET is not set: tokens are signed with a development secret kept in/,
      );
      expect((await stat(join(dataDir, 'db', 'bounded-jwt-secret'))).isFile()).toBe(true);

      const signUp = await fetch(`${base}/members`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'e2e-auth@example.com',
          passwd: 'Correct-Horse-9',
          name: 'End To End',
        }),
      });
      expect(signUp.status).toBe(201);

      const token = await fetch(
        `${base}/auth/token`,
        form({ grant_type: 'password', username: 'e2e-auth@example.com', password: 'Correct-Horse-9' }),
      );
      expect(token.status).toBe(200);
      expect(token.headers.get('cache-control')).toBe('no-store');
      const grant = (await token.json()) as { access_token: string; refresh_token: string };
      access = grant.access_token;
      refreshToken = grant.refresh_token;

      const me = await fetch(`${base}/members/me`, { headers: { authorization: `Bearer ${access}` } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ email: 'e2e-auth@example.com' });
      expect(me.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect((await fetch(`${base}/members/me`)).status).toBe(401);
    } finally {
      await stop(server);
    }

    // The development secret is kept with the data, so a restart signs nobody out.
    server = await start();
    try {
      expect(
        (await fetch(`${base}/members/me`, { headers: { authorization: `Bearer ${access}` } })).status,
      ).toBe(200);
      const refreshed = await fetch(
        `${base}/auth/token`,
        form({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      );
      expect(refreshed.status).toBe(200);
      const next = (await refreshed.json()) as Record<string, string>;
      expect(next.refresh_token).not.toBe(refreshToken);

      const revoked = await fetch(`${base}/auth/revoke`, form({ token: String(next.refresh_token) }));
      expect(revoked.status).toBe(200);
      const afterRevoke = await fetch(
        `${base}/auth/token`,
        form({ grant_type: 'refresh_token', refresh_token: String(next.refresh_token) }),
      );
      expect(afterRevoke.status).toBe(400);
      expect(await afterRevoke.json()).toMatchObject({ error: 'invalid_grant' });
    } finally {
      await stop(server);
    }
  }, 120_000); // two process starts on a fresh PGlite folder, on a busy two-core machine

  it('refuses to start in production without JWT_SECRET, in one line naming it', async () => {
    const attempt = startProcess(
      ['src/main.ts'],
      { NODE_ENV: 'production', DATABASE_URL: 'memory://', JWT_SECRET: '' },
      'Bounded is ready',
    );
    await expect(attempt).rejects.toThrow(/Invalid JWT_SECRET="": required when NODE_ENV=production/);
  });
});
