import { InvalidGrantError } from '../domain/errors.ts';
import type { Member } from '../domain/member.ts';
import type { AccountsDependencies } from './dependencies.ts';
import { grantFor, type TokenGrant } from './token-grant.ts';

/** The OAuth2 refresh_token grant: a refresh token for a new pair of tokens. */
export interface RefreshSession {
  readonly type: 'accounts.refresh_session';
  readonly refreshToken: string;
}

const REFUSED = 'The refresh token is invalid, expired or revoked';

/**
 * Rotates the session's refresh token: the presented one is spent, a new one is current, and a
 * fresh access token carries the member's role as it is now. A spent token revokes the session;
 * that revocation is committed even though the client gets an error.
 */
export async function refreshSession(
  command: RefreshSession,
  deps: AccountsDependencies,
): Promise<TokenGrant> {
  const presented = deps.tokens.hashOf(command.refreshToken);
  if (presented === undefined) throw new InvalidGrantError(REFUSED);
  const next = deps.tokens.mint();
  const member = await deps.uow().run(async ({ sessions, members }): Promise<Member | undefined> => {
    const session = await sessions.byTokenHash(presented);
    if (session === undefined) return undefined;
    const outcome = session.rotate(
      presented,
      { tokenHash: next.hash, tokenLifetimeSeconds: deps.settings.refreshTokenLifetimeSeconds },
      deps.tools,
    );
    if (outcome === 'reuse_detected') await sessions.save(session);
    if (outcome !== 'rotated') return undefined;
    const owner = await members.byId(session.memberId);
    // Deleting a member revokes their sessions; this only guards against a session that slipped past.
    if (owner === undefined) session.revoke('member_deleted', deps.tools);
    await sessions.save(session);
    return owner;
  });
  if (member === undefined) throw new InvalidGrantError(REFUSED);
  return grantFor(member, next.token, deps.accessTokens);
}
