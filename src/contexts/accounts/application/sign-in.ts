import { Email } from '../domain/email.ts';
import { InvalidGrantError } from '../domain/errors.ts';
import { Session } from '../domain/session.ts';
import type { AccountsDependencies } from './dependencies.ts';
import { grantFor, type TokenGrant } from './token-grant.ts';

/** The OAuth2 password grant: an email and a password for a new session. */
export interface SignIn {
  readonly type: 'accounts.sign_in';
  readonly email: string;
  readonly password: string;
}

const REFUSED = 'The email or password is not correct';

/**
 * Signs a member in. Unknown emails, malformed ones and wrong passwords get the same answer after
 * the same work (an Argon2 verification, against a dummy hash when there is no member), so
 * neither the answer nor its timing tells whether an email is registered. The slow hash runs
 * outside the transaction; inside it, the member is re-read and locked, and the sign-in is
 * refused if the password changed meanwhile, so no session outlives a password change.
 */
export async function signIn(command: SignIn, deps: AccountsDependencies): Promise<TokenGrant> {
  const email = Email.tryParse(command.email);
  const found =
    email === undefined ? undefined : await deps.uow().run(({ members }) => members.byEmail(email));
  const hash = found?.passwordHash ?? (await deps.hasher.dummyHash());
  const verified = await deps.hasher.verify(command.password, hash);
  if (found === undefined || !verified) throw new InvalidGrantError(REFUSED);

  const upgraded = deps.hasher.isOutdated(found.passwordHash)
    ? await deps.hasher.upgrade(command.password)
    : undefined;
  const refresh = deps.tokens.mint();
  const member = await deps.uow().run(async ({ members, sessions }) => {
    const current = await members.byIdLocked(found.id);
    if (current === undefined || current.passwordHash !== found.passwordHash)
      throw new InvalidGrantError(REFUSED);
    if (upgraded !== undefined) {
      current.upgradePasswordHash(upgraded);
      await members.save(current);
    }
    const session = Session.start(
      {
        memberId: current.id,
        tokenHash: refresh.hash,
        tokenLifetimeSeconds: deps.settings.refreshTokenLifetimeSeconds,
      },
      deps.tools,
    );
    await sessions.add(session);
    return current;
  });
  return grantFor(member, refresh.token, deps.accessTokens);
}
