/** Shared response schemas for the OpenAPI document. */
import { Type } from '@sinclair/typebox';

export const ErrorBody = Type.Object({
  error: Type.String({ description: 'stable code, e.g. invalid_credentials, locked, forbidden' }),
  message: Type.String({ description: 'what went wrong and what to do, for people' }),
  requestId: Type.String(),
  retryAfterS: Type.Optional(Type.Integer({ description: 'seconds until a retry may succeed (also the Retry-After header)' })),
});

export const errorResponses = {
  400: { ...ErrorBody, description: 'Invalid input; the message names the field' },
  401: { ...ErrorBody, description: 'Not signed in, or the token is expired/revoked' },
  403: { ...ErrorBody, description: 'Signed in, but the role does not allow this' },
};

export const notFound = { 404: { ...ErrorBody, description: 'Not found' } };

/** Request bodies and parameters reject unknown fields. */
export const strict = { additionalProperties: false } as const;
