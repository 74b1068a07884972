import { type Static, Type } from 'typebox';

const EmailField = Type.String({ format: 'email', maxLength: 254, examples: ['ada@example.com'] });

/**
 * The token request. RFC 6749 §3.2 says the token endpoint MUST ignore parameters it does not
 * recognise (Swagger UI, for one, sends `scope` and may send `client_id`), so unlike every other
 * body this one is not closed; each known parameter is still typed and bounded, and a parameter
 * sent twice is a type error, as §3.2 requires.
 */
export const TokenRequestBody = Type.Object(
  {
    grant_type: Type.String({
      maxLength: 64,
      description: '`password` or `refresh_token`',
      examples: ['password'],
    }),
    username: Type.Optional(Type.String({ maxLength: 254, description: 'The email (password grant)' })),
    password: Type.Optional(Type.String({ maxLength: 1024, description: 'The password (password grant)' })),
    refresh_token: Type.Optional(
      Type.String({ maxLength: 512, description: 'The refresh token (refresh_token grant)' }),
    ),
    scope: Type.Optional(Type.String({ maxLength: 1024, description: 'Ignored: there are no scopes' })),
    client_id: Type.Optional(Type.String({ maxLength: 256, description: 'Ignored: every client is public' })),
  },
  {
    additionalProperties: true,
    examples: [
      { grant_type: 'password', username: 'ada@example.com', password: 'Correct-Horse-9' },
      { grant_type: 'refresh_token', refresh_token: 'qZ3n0bX8kVd2W9sQyL5rT1mUe7aHcF4pGjN6oKxRiB0' },
    ],
  },
);
export type TokenRequestBody = Static<typeof TokenRequestBody>;

export const TokenGrantSchema = Type.Object(
  {
    access_token: Type.String({ description: 'A JWT (HS256) to send as `Authorization: Bearer …`' }),
    token_type: Type.Literal('bearer'),
    expires_in: Type.Integer({ description: 'Seconds the access token stays valid', examples: [900] }),
    refresh_token: Type.String({
      description:
        'Exchange it once, with grant_type=refresh_token, for a new pair; a second use revokes the session',
    }),
  },
  {
    $id: 'TokenGrant',
    examples: [
      {
        access_token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI3MjY1MDExMzkyNzEyNzA0MDAxIn0.c2ln',
        token_type: 'bearer',
        expires_in: 900,
        refresh_token: 'qZ3n0bX8kVd2W9sQyL5rT1mUe7aHcF4pGjN6oKxRiB0',
      },
    ],
  },
);

/** RFC 7009 revocation request; like the token request, unknown parameters are ignored. */
export const RevokeRequestBody = Type.Object(
  {
    token: Type.String({ maxLength: 4096, description: 'The refresh token to revoke' }),
    token_type_hint: Type.Optional(Type.String({ maxLength: 64, description: 'Ignored' })),
  },
  { additionalProperties: true, examples: [{ token: 'qZ3n0bX8kVd2W9sQyL5rT1mUe7aHcF4pGjN6oKxRiB0' }] },
);
export type RevokeRequestBody = Static<typeof RevokeRequestBody>;

export const PasswordRecoveryBody = Type.Object(
  { email: EmailField },
  { additionalProperties: false, examples: [{ email: 'ada@example.com' }] },
);
export type PasswordRecoveryBody = Static<typeof PasswordRecoveryBody>;

export const RecoveryAccepted = Type.Object(
  { message: Type.String() },
  { examples: [{ message: 'If this email belongs to a member, a reset link is on its way' }] },
);

export const PasswordResetBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 128, description: 'The token from the mailed link' }),
    passwd: Type.String({
      maxLength: 1024,
      description: '8-128 characters with a lower-case letter, an upper-case letter and a special character',
    }),
  },
  {
    additionalProperties: false,
    examples: [{ token: 'qZ3n0bX8kVd2W9sQyL5rT1mUe7aHcF4pGjN6oKxRiB0', passwd: 'Even-Better-10' }],
  },
);
export type PasswordResetBody = Static<typeof PasswordResetBody>;
