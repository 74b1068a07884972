import { DomainError } from '../../../shared/domain/domain-error.ts';

export type AccountsErrorCode =
  | 'member.invalid_email'
  | 'member.invalid_name'
  | 'member.weak_password'
  | 'member.wrong_password'
  | 'member.current_password_required'
  | 'member.email_taken'
  | 'member.not_found'
  | 'member.access_denied'
  | 'member.superuser_cannot_delete_self'
  | 'auth.invalid_grant'
  | 'auth.invalid_reset_token';

export class InvalidEmailError extends DomainError<'member.invalid_email'> {
  readonly code = 'member.invalid_email' as const;
}

export class InvalidMemberNameError extends DomainError<'member.invalid_name'> {
  readonly code = 'member.invalid_name' as const;
}

export class WeakPasswordError extends DomainError<'member.weak_password'> {
  readonly code = 'member.weak_password' as const;
}

export class WrongPasswordError extends DomainError<'member.wrong_password'> {
  readonly code = 'member.wrong_password' as const;

  constructor() {
    super('The current password is not correct');
  }
}

export class CurrentPasswordRequiredError extends DomainError<'member.current_password_required'> {
  readonly code = 'member.current_password_required' as const;

  constructor() {
    super('Changing your own password needs your current password in current_passwd');
  }
}

export class EmailTakenError extends DomainError<'member.email_taken'> {
  readonly code = 'member.email_taken' as const;

  constructor(email: string) {
    super(`The email ${email} is already registered`);
  }
}

export class MemberNotFoundError extends DomainError<'member.not_found'> {
  readonly code = 'member.not_found' as const;

  constructor(id: string) {
    super(`No member with id ${id}`);
  }
}

/** A member acting on another member's account; only a superuser may. */
export class MemberAccessDeniedError extends DomainError<'member.access_denied'> {
  readonly code = 'member.access_denied' as const;

  constructor() {
    super("Only the member themself or a superuser may do this to a member's account");
  }
}

/** The last line of defence against an instance with no superuser left. */
export class SuperuserSelfDeletionError extends DomainError<'member.superuser_cannot_delete_self'> {
  readonly code = 'member.superuser_cannot_delete_self' as const;

  constructor() {
    super('A superuser cannot delete their own account; another superuser can');
  }
}

/**
 * The one answer to every failed grant (unknown email, wrong password, unknown, spent, expired
 * or revoked refresh token): telling them apart would tell an attacker which emails exist.
 */
export class InvalidGrantError extends DomainError<'auth.invalid_grant'> {
  readonly code = 'auth.invalid_grant' as const;

  /** A refused password grant, whatever the reason. */
  static signIn(): InvalidGrantError {
    return new InvalidGrantError('The email or password is not correct');
  }
}

export class InvalidResetTokenError extends DomainError<'auth.invalid_reset_token'> {
  readonly code = 'auth.invalid_reset_token' as const;

  constructor() {
    super('The password reset token is unknown, expired or already used; ask for a new one');
  }
}
