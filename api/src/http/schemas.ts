/** Shared response schemas for the OpenAPI document. */
import { Type } from '@sinclair/typebox';

export const ErrorBody = Type.Object({ error: Type.String(), message: Type.String(), requestId: Type.String() });

export const errorResponses = {
  400: { ...ErrorBody, description: 'Invalid input; the message names the field' },
  401: { ...ErrorBody, description: 'Not signed in, or the token is expired/revoked' },
  403: { ...ErrorBody, description: 'Signed in, but the role does not allow this' },
};

export const notFound = { 404: { ...ErrorBody, description: 'Not found' } };

/** Request bodies and parameters reject unknown fields. */
export const strict = { additionalProperties: false } as const;
