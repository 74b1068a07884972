import { Email } from '../domain/email.ts';
import { InvalidGrantError } from '../domain/errors.ts';
import type { Member } from '../domain/member.ts';
import { Session } from '../domain/session.ts';
import type { AccountsDependencies } from './dependencies.ts';
import { grantFor, type TokenGrant } from './token-grant.ts';

/** The OAuth2 password grant: an email and a password for a new session. */
export interface SignIn {
  readonly type: 'accounts.sign_in';
  readonly email: string;
  readonly password: string;
}

/**
 * Signs a member in. Unknown emails, malformed ones and wrong passwords get the same answer after
 * the same work (an Argon2 verification, against a dummy hash when there is no member), so
 * neither the answer nor its timing tells whether an email is registered. The slow hash runs
 * outside any transaction; the session is then stored only if the member still has the password
 * hash that was verified (checked under a lock as it is stored), so no session outlives a
 * password change. That is one autocommitted statement; a legacy hash that must be replaced
 * needs the member saved too, so that rare sign-in re-reads and locks the member in a transaction.
 */
export async function signIn(command: SignIn, deps: AccountsDependencies): Promise<TokenGrant> {
  const email = Email.tryParse(command.email);
  const found =
    email === undefined ? undefined : await deps.uow().run(({ members }) => members.byEmail(email));
  const hash = found?.passwordHash ?? (await deps.hasher.dummyHash());
  const verified = await deps.hasher.verify(command.password, hash);
  if (found === undefined || !verified) throw InvalidGrantError.signIn();

  const refresh = deps.tokens.mint();
  const startSession = (member: Member) =>
    Session.start(
      {
        memberId: member.id,
        tokenHash: refresh.hash,
        tokenLifetimeSeconds: deps.settings.refreshTokenLifetimeSeconds,
      },
      deps.tools,
    );
  if (!deps.hasher.isOutdated(found.passwordHash)) {
    await deps.uow().run(({ sessions }) => sessions.addSignedInWith(startSession(found), found.passwordHash));
    return grantFor(found, refresh.token, deps.accessTokens);
  }
  const upgraded = await deps.hasher.upgrade(command.password);
  const member = await deps.uow().run(async ({ members, sessions }) => {
    const current = await members.byIdLocked(found.id);
    if (current === undefined || current.passwordHash !== found.passwordHash)
      throw InvalidGrantError.signIn();
    current.upgradePasswordHash(upgraded);
    await members.save(current);
    await sessions.add(startSession(current));
    return current;
  });
  return grantFor(member, refresh.token, deps.accessTokens);
}
