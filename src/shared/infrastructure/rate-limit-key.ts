import { createHash } from 'node:crypto';
import type { RateLimitRule } from '../application/rate-limiter.ts';

/**
 * The stored key of a subject under a rule. Subjects are emails and IP addresses: they are
 * hashed so that neither the table nor a heap dump lists who tried to sign in.
 */
export function rateLimitKey(rule: RateLimitRule, subject: string): string {
  return `${rule.name}:${createHash('sha256').update(subject).digest('base64url')}`;
}
