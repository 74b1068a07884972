import { type Static, Type } from 'typebox';
import { IdString, Timestamp } from '../../../shared/http/schemas.ts';

const EmailField = Type.String({ format: 'email', maxLength: 254, examples: ['ada@example.com'] });
const NameField = Type.String({ minLength: 1, maxLength: 100, examples: ['Ada Lovelace'] });
/** The policy (8-128 characters, lower, upper, special) is the domain's: breaking it is a 400. */
const PasswordField = Type.String({
  maxLength: 1024,
  description: '8-128 characters with a lower-case letter, an upper-case letter and a special character',
  examples: ['Correct-Horse-9'],
});

export const MemberSchema = Type.Object(
  {
    id: IdString,
    email: Type.String({ examples: ['ada@example.com'] }),
    name: Type.String({ examples: ['Ada Lovelace'] }),
    is_superuser: Type.Boolean({ examples: [false] }),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: 'Member', description: 'A member; the password hash is never shown' },
);

export const RegisterMemberBody = Type.Object(
  { email: EmailField, passwd: PasswordField, name: NameField },
  {
    additionalProperties: false,
    examples: [{ email: 'ada@example.com', passwd: 'Correct-Horse-9', name: 'Ada Lovelace' }],
  },
);
export type RegisterMemberBody = Static<typeof RegisterMemberBody>;

export const UpdateProfileBody = Type.Object(
  { name: NameField },
  { additionalProperties: false, examples: [{ name: 'Ada King' }] },
);
export type UpdateProfileBody = Static<typeof UpdateProfileBody>;

export const ChangeEmailBody = Type.Object(
  { email: EmailField },
  { additionalProperties: false, examples: [{ email: 'ada.king@example.com' }] },
);
export type ChangeEmailBody = Static<typeof ChangeEmailBody>;

export const ChangePasswordBody = Type.Object(
  {
    passwd: PasswordField,
    current_passwd: Type.Optional(
      Type.String({
        maxLength: 1024,
        description:
          'The current password: required when members change their own password; when given it must be correct',
      }),
    ),
  },
  {
    additionalProperties: false,
    examples: [{ passwd: 'Even-Better-10', current_passwd: 'Correct-Horse-9' }],
  },
);
export type ChangePasswordBody = Static<typeof ChangePasswordBody>;
