import { DomainError } from '../../../shared/domain/domain-error.ts';

export type AccountsErrorCode =
  | 'member.invalid_email'
  | 'member.invalid_name'
  | 'member.weak_password'
  | 'member.wrong_password'
  | 'member.email_taken'
  | 'member.not_found';

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
