import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';

export interface Readiness {
  /** Each check answers true when its dependency is usable. */
  readonly checks: Readonly<Record<string, () => Promise<boolean>>>;
}

const Health = Type.Object({ status: Type.Literal('ok') }, { examples: [{ status: 'ok' }] });
const Ready = Type.Object(
  {
    status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]),
    checks: Type.Record(Type.String(), Type.Union([Type.Literal('ok'), Type.Literal('failing')])),
  },
  { examples: [{ status: 'ready', checks: { database: 'ok', migrations: 'ok' } }] },
);

export async function healthRoutes(app: FastifyInstance, readiness: Readiness): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness',
        description: 'Answers as long as the process serves HTTP; it touches no dependency.',
        response: { 200: Health },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  api.get(
    '/health/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness',
        description: 'Ready when the database answers and every migration is applied; 503 otherwise.',
        response: { 200: Ready, 503: Ready },
      },
    },
    async (_request, reply) => {
      const entries = await Promise.all(
        Object.entries(readiness.checks).map(async ([name, check]) => {
          const ok = await check().catch(() => false);
          return [name, ok ? ('ok' as const) : ('failing' as const)] as const;
        }),
      );
      const ready = entries.every(([, state]) => state === 'ok');
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'unavailable', checks: Object.fromEntries(entries) });
    },
  );
}
