import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/support/app.ts';
import { expectProblem } from '../../../test/support/problem.ts';
import type { App } from '../../app.ts';
import type { Mailer, MailMessage } from '../application/mailer.ts';
import { Id } from '../domain/id.ts';

/** A mailer that fails while `down` is true: a mail server outage. */
class SwitchableMailer implements Mailer {
  down = false;
  readonly sent: MailMessage[] = [];

  async send(message: MailMessage): Promise<void> {
    if (this.down) throw new Error('mail server down');
    this.sent.push(message);
  }
}

describe('GET /metrics', () => {
  let app: App;
  const mailer = new SwitchableMailer();
  beforeAll(async () => {
    app = await testApp({ mailer, env: { OUTBOX_RELAY: 'false', OUTBOX_MAX_ATTEMPTS: '1' } });
  });
  afterAll(() => app.close());

  async function metrics(): Promise<string> {
    const response = await app.http.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.body;
  }

  /** The value of one series, e.g. `outbox_pending_deliveries{subscriber="x"}`. */
  function value(text: string, series: string): number | undefined {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  }

  const welcome = 'subscriber="accounts.send_welcome_mail"';

  it('counts HTTP requests by route template and status, never by raw URL', async () => {
    const created = await app.http.inject({
      method: 'POST',
      url: '/api/v1/members',
      payload: { email: 'metrics@example.com', passwd: 'Correct-Horse-9', name: 'Metric Member' },
    });
    const id = created.json().id as string;
    const { token } = app.accessTokens.issue({ memberId: Id.of(id), role: 'member' });
    await app.http.inject({
      method: 'GET',
      url: `/api/v1/members/${id}`,
      headers: { authorization: `Bearer ${token}` },
    });
    await app.http.inject({ method: 'GET', url: '/api/v1/nowhere/at/all' });

    const text = await metrics();
    expect(value(text, 'http_requests_total{method="POST",route="/api/v1/members",status_code="201"}')).toBe(
      1,
    );
    expect(
      value(text, 'http_requests_total{method="GET",route="/api/v1/members/:id",status_code="200"}'),
    ).toBe(1);
    expect(value(text, 'http_requests_total{method="GET",route="unmatched",status_code="404"}')).toBe(1);
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.001",method="POST",route="/api/v1/members"',
    );
    expect(text).not.toContain(created.json().id);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
  });

  it('shows pending deliveries until the relay delivers them, then the attempt and its latency', async () => {
    expect(value(await metrics(), `outbox_pending_deliveries{${welcome}}`)).toBe(1);
    await app.relay.drain();
    const text = await metrics();
    expect(value(text, `outbox_pending_deliveries{${welcome}}`)).toBe(0);
    expect(value(text, `outbox_delivery_attempts_total{${welcome},outcome="delivered"}`)).toBe(1);
    expect(value(text, `outbox_delivery_latency_seconds_count{${welcome}}`)).toBe(1);
    expect(value(text, `outbox_dead_letters{${welcome}}`)).toBe(0);
  });

  it('shows dead letters', async () => {
    mailer.down = true;
    await app.http.inject({
      method: 'POST',
      url: '/api/v1/members',
      payload: { email: 'unlucky@example.com', passwd: 'Correct-Horse-9', name: 'Unlucky Member' },
    });
    await app.relay.drain();
    mailer.down = false;
    const text = await metrics();
    expect(value(text, `outbox_dead_letters{${welcome}}`)).toBe(1);
    expect(value(text, `outbox_dead_lettered_total{${welcome}}`)).toBe(1);
    expect(value(text, `outbox_delivery_attempts_total{${welcome},outcome="dead"}`)).toBe(1);
  });

  it("declares the units of work's re-run counter", async () => {
    expect(await metrics()).toContain('# TYPE unit_of_work_reruns_total counter');
  });

  it('is not part of the API document', async () => {
    const spec = (await app.http.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(spec.paths)).not.toContain('/metrics');
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  const token = 'k3Yq-9vLp2Rz.7WmN-metrics';
  let app: App;
  beforeAll(async () => {
    app = await testApp({ env: { OUTBOX_RELAY: 'false', METRICS_TOKEN: token } });
  });
  afterAll(() => app.close());

  const scrape = (authorization?: string) =>
    app.http.inject({
      method: 'GET',
      url: '/metrics',
      ...(authorization ? { headers: { authorization } } : {}),
    });

  it.each([`Bearer ${token}`, `bearer ${token}`, `BEARER  ${token}`])(
    'answers the bearer of the token (%s: the scheme in any case)',
    async (authorization) => {
      const response = await scrape(authorization);
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('# TYPE http_requests_total counter');
    },
  );

  it.each([
    ['no Authorization header', undefined],
    ['another token', 'Bearer k3Yq-9vLp2Rz.7WmN-metricz'],
    ['the token with a suffix', `Bearer ${token}x`],
    ['the token without "Bearer"', token],
    ['the token and something after it', `Bearer ${token} ${token}`],
    ['Basic credentials', `Basic ${Buffer.from(`prometheus:${token}`).toString('base64')}`],
  ])('answers 401 to %s, with no metric in the answer', async (_label, authorization) => {
    const response = await scrape(authorization);
    expectProblem(response, 401, 'auth.unauthenticated');
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.body).not.toContain('http_requests_total');
  });
});
