import type { AccountsErrorCode } from '../domain/errors.ts';

/** Every accounts error code has its status; a new code without one does not compile. */
export const accountsErrorStatuses: Record<AccountsErrorCode, number> = {
  'member.invalid_email': 400,
  'member.invalid_name': 400,
  'member.weak_password': 400,
  'member.wrong_password': 400,
  'member.current_password_required': 400,
  'member.email_taken': 409,
  'member.not_found': 404,
  'member.access_denied': 403,
  'member.superuser_cannot_delete_self': 403,
  // The token endpoint answers this in RFC 6749 form itself; the status stands for any other caller.
  'auth.invalid_grant': 400,
  'auth.invalid_reset_token': 400,
};
