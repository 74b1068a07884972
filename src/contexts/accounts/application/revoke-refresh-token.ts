import type { AccountsDependencies } from './dependencies.ts';

/** Sign-out (RFC 7009 token revocation): ends the session the refresh token belongs to. */
export interface RevokeRefreshToken {
  readonly type: 'accounts.revoke_refresh_token';
  readonly token: string;
}

/**
 * Revokes the token's whole session. An unknown or malformed token is not an error (RFC 7009
 * §2.2): the client's goal, that the token no longer works, is met either way.
 */
export async function revokeRefreshToken(
  command: RevokeRefreshToken,
  deps: AccountsDependencies,
): Promise<undefined> {
  const hash = deps.tokens.hashOf(command.token);
  if (hash === undefined) return undefined;
  await deps.uow().run(async ({ sessions }) => {
    const session = await sessions.byTokenHash(hash);
    if (session === undefined || session.isRevoked) return;
    session.revoke('signed_out', deps.tools);
    await sessions.save(session);
  });
  return undefined;
}
