import type { App } from '../../src/app.ts';
import { Id } from '../../src/shared/domain/id.ts';

let counter = 0;

/** An email no other test of this process has used. */
export function uniqueEmail(prefix = 'member'): string {
  counter += 1;
  return `${prefix}${counter}.${process.pid}@example.com`;
}

export interface SignedUp {
  readonly id: string;
  readonly email: string;
  readonly password: string;
  /** `Authorization` header value with an access token for this member. */
  readonly auth: string;
}

/**
 * A member registered through the API, with an access token minted directly (no sign-in round
 * trip): for tests about what a signed-in member may do, not about signing in.
 */
export async function signedUpMember(
  app: App,
  overrides: { email?: string; password?: string; name?: string } = {},
): Promise<SignedUp> {
  const email = overrides.email ?? uniqueEmail();
  const password = overrides.password ?? 'Correct-Horse-9';
  const response = await app.http.inject({
    method: 'POST',
    url: '/api/v1/members',
    payload: { email, passwd: password, name: overrides.name ?? 'Ada Lovelace' },
  });
  if (response.statusCode !== 201) throw new Error(`sign-up failed: ${response.body}`);
  const { id } = response.json() as { id: string };
  return { id, email, password, auth: bearerFor(app, id, 'member') };
}

/** A superuser made as the CLI makes one, with an access token. */
export async function signedUpSuperuser(app: App): Promise<SignedUp> {
  const email = uniqueEmail('root');
  const password = 'Root-Password-1!';
  const { member } = await app.bus.execute({ type: 'accounts.ensure_superuser', email, password });
  return { id: member.id, email, password, auth: bearerFor(app, member.id, 'superuser') };
}

export function bearerFor(app: App, id: string, role: 'member' | 'superuser'): string {
  return `Bearer ${app.accessTokens.issue({ memberId: Id.of(id), role }).token}`;
}
