import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerProblemHandlers } from './problem-details.ts';

const unreachable = () =>
  Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { code: 'ECONNREFUSED' });

describe('a database out of reach, through the one error handler', () => {
  let app: FastifyInstance;
  afterEach(() => app.close());

  async function answer(unavailable?: (error: unknown) => boolean) {
    app = Fastify();
    registerProblemHandlers(app, {}, unavailable ? { unavailable } : {});
    app.get('/down', async () => {
      throw unreachable();
    });
    app.get('/broken', async () => {
      throw new Error('a bug');
    });
    return { down: await app.inject({ url: '/down' }), broken: await app.inject({ url: '/broken' }) };
  }

  it('is 503 problem+json with Retry-After and nothing of the driver, when recognised', async () => {
    const { down, broken } = await answer((error) => (error as { code?: string }).code === 'ECONNREFUSED');
    expect(down.statusCode).toBe(503);
    expect(down.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(down.headers['retry-after']).toBe('5');
    expect(down.json()).toEqual({
      type: 'urn:bounded:problem:service.unavailable',
      title: 'Service Unavailable',
      status: 503,
      detail: 'The service cannot reach its database; try again shortly',
      code: 'service.unavailable',
    });
    expect(down.body).not.toMatch(/ECONNREFUSED|10\.0\.0\.7/);
    // Anything else unexpected stays a 500.
    expect(broken.statusCode).toBe(500);
    expect(broken.headers['retry-after']).toBeUndefined();
  });

  it('is a plain 500 without the classifier', async () => {
    const { down } = await answer();
    expect(down.statusCode).toBe(500);
    expect(down.headers['retry-after']).toBeUndefined();
  });
});
