import type { AccessTokens } from '../../../shared/application/access-tokens.ts';
import type { Member } from '../domain/member.ts';

/** A successful token response (RFC 6749 §5.1). */
export interface TokenGrant {
  readonly access_token: string;
  readonly token_type: 'bearer';
  /** Seconds the access token is valid for. */
  readonly expires_in: number;
  readonly refresh_token: string;
}

export function grantFor(member: Member, refreshToken: string, accessTokens: AccessTokens): TokenGrant {
  const access = accessTokens.issue({
    memberId: member.id,
    role: member.isSuperuser ? 'superuser' : 'member',
  });
  return {
    access_token: access.token,
    token_type: 'bearer',
    expires_in: access.expiresIn,
    refresh_token: refreshToken,
  };
}
