import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimiter, RateLimitRule } from '../application/rate-limiter.ts';
import { problem, sendProblem } from './problem-details.ts';

/** 429 problem+json with `Retry-After` in seconds. */
export function sendRateLimited(reply: FastifyReply, retryAfterSeconds: number): FastifyReply {
  reply.header('retry-after', String(retryAfterSeconds));
  return sendProblem(
    reply,
    problem(429, 'request.rate_limited', `Too many attempts; try again in ${retryAfterSeconds} s`),
  );
}

/**
 * Takes an allowed attempt back out of the count (work that must not count after all). Only logs
 * when the store cannot be corrected: the request's own answer stands either way.
 */
export async function giveAttemptBack(
  attempt: { giveBack(): Promise<void> },
  request: FastifyRequest,
): Promise<void> {
  await attempt
    .giveBack()
    .catch((error: unknown) => request.log.warn({ err: error }, 'could not give a rate-limit attempt back'));
}

/**
 * An onRequest hook counting every request to a route per client address, before its body is
 * even read. `request.ip` is the peer address unless TRUST_PROXY names the proxies in front.
 */
export function limitPerClientIp(limiter: RateLimiter, rule: RateLimitRule) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const decision = await limiter.attempt(rule, request.ip);
    return decision.allowed ? undefined : sendRateLimited(reply, decision.retryAfterSeconds);
  };
}
