import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Outage } from '../application/outage.ts';
import { registerDrainingAnswer, registerProblemHandlers } from './problem-details.ts';

/** The driver's failure: it must not reach the response. */
const driverFailure = () =>
  Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { code: 'ECONNREFUSED' });

describe('a database that could not serve, through the one error handler', () => {
  let app: FastifyInstance;
  afterEach(() => app.close());

  async function answers(outage: Outage | undefined, classify = true) {
    app = Fastify();
    registerProblemHandlers(
      app,
      {},
      classify ? { outage: (error) => (error === failure ? outage : undefined) } : {},
    );
    const failure = driverFailure();
    const fail = async () => {
      throw failure;
    };
    app.get('/thing', fail);
    app.post('/thing', fail);
    app.put('/thing', fail);
    app.get('/broken', async () => {
      throw new Error('a bug');
    });
    return {
      get: await app.inject({ method: 'GET', url: '/thing' }),
      post: await app.inject({ method: 'POST', url: '/thing' }),
      put: await app.inject({ method: 'PUT', url: '/thing' }),
      broken: await app.inject({ url: '/broken' }),
    };
  }

  function expectUnavailable(response: Awaited<ReturnType<typeof answers>>['get'], detail: RegExp) {
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      type: 'urn:bounded:problem:service.unavailable',
      title: 'Service Unavailable',
      status: 503,
      code: 'service.unavailable',
    });
    expect(response.json().detail).toMatch(detail);
    expect(response.body).not.toMatch(/ECONNREFUSED|10\.0\.0\.7/);
  }

  it('is 503 with Retry-After for any method when nothing reached the database, or nothing took effect', async () => {
    for (const [outage, detail] of [
      ['unreached', /cannot reach its database/],
      ['busy', /No database connection became free in time/],
      ['slow', /did not finish the request in time, so nothing of it was done/],
    ] as const) {
      const { get, post, put, broken } = await answers(outage);
      for (const response of [get, post, put]) {
        expectUnavailable(response, detail);
        expect(response.headers['retry-after']).toBe('5');
      }
      // Anything else unexpected stays a 500.
      expect(broken.statusCode).toBe(500);
      expect(broken.headers['retry-after']).toBeUndefined();
      await app.close();
    }
  });

  it('does not invite a write to repeat itself when the connection was lost mid-way', async () => {
    const { get, post, put } = await answers('lost');
    for (const response of [get, put]) {
      expectUnavailable(response, /was lost during the request; try again shortly/);
      expect(response.headers['retry-after']).toBe('5');
    }
    expectUnavailable(post, /may or may not have taken effect, so check before repeating it/);
    expect(post.headers['retry-after']).toBeUndefined();
  });

  it('is a plain 500 without the classifier', async () => {
    const { get } = await answers('unreached', false);
    expect(get.statusCode).toBe(500);
    expect(get.headers['retry-after']).toBeUndefined();
  });
});

describe('a request that arrives while the server drains', () => {
  it('is answered 503 problem+json with Connection: close, and the route does not run', async () => {
    const app = Fastify({ return503OnClosing: false });
    registerDrainingAnswer(app);
    // Holds the close between its start and the server's own close, while it still takes
    // requests: the window in which Fastify answered in its own JSON.
    let closingStarted = () => {};
    const closing = new Promise<void>((resolve) => {
      closingStarted = resolve;
    });
    let finishClosing = () => {};
    const held = new Promise<void>((resolve) => {
      finishClosing = resolve;
    });
    app.addHook('preClose', async () => {
      closingStarted();
      await held;
    });
    let ran = false;
    app.get('/thing', async () => {
      ran = true;
      return { ok: true };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    expect((await fetch(`http://127.0.0.1:${port}/thing`)).status).toBe(200);
    ran = false;

    const closed = app.close();
    await closing;
    const response = await fetch(`http://127.0.0.1:${port}/thing`);
    finishClosing();
    await closed;

    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('connection')).toBe('close');
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toMatchObject({
      code: 'service.unavailable',
      detail: 'The service is shutting down; try again shortly',
    });
    expect(ran).toBe(false);
  });
});
