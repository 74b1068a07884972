import type { AccountsErrorCode } from '../domain/errors.ts';

/** Every accounts error code has its status; a new code without one does not compile. */
export const accountsErrorStatuses: Record<AccountsErrorCode, number> = {
  'member.invalid_email': 400,
  'member.invalid_name': 400,
  'member.weak_password': 400,
  'member.wrong_password': 400,
  'member.email_taken': 409,
  'member.not_found': 404,
};
