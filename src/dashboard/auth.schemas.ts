/**
 * What the login, invitation and account routes take, as JSON Schema (checked by src/server/route-schemas.ts):
 * types and lengths — a password is hashed with scrypt, so its length is bounded before it is; which roles and
 * projects exist, and whether an e-mail address looks like one, are checked in src/dashboard/auth.routes.ts.
 * Fields a route does not know are ignored, as they always were.
 */
import type { SchemaObject } from '../config/json-schema.ts';

export const MIN_PASSWORD = 10;
const MAX_SECRET = 4096;

export interface AccountBody {
  email?: string;
  name?: string;
  password?: string;
  current_password?: string;
  role?: string;
  projects?: string | string[];
  token?: string | null;
  invite?: string;
}

const secret = (hint: string): SchemaObject => ({ type: 'string', maxLength: MAX_SECRET, hint });
const newPassword = (hint: string): SchemaObject => ({
  type: 'string',
  minLength: MIN_PASSWORD,
  maxLength: MAX_SECRET,
  hint,
});

const email: SchemaObject = { type: 'string', maxLength: 320, hint: 'must be an e-mail address' };

/** Roles as the admin sends them; `name` is cut to 200 characters, not refused. */
const accountFields: Record<string, SchemaObject> = {
  name: { type: 'string', maxLength: 10_000, hint: 'must be a string' },
  role: { type: 'string', maxLength: 16, hint: 'must be admin or viewer' },
  projects: {
    type: ['string', 'array'],
    maxLength: 200,
    maxItems: 1000,
    items: { type: 'string', maxLength: 200 },
    hint: 'must be "*" or a list of sites',
  },
};

export const loginBody: SchemaObject = {
  type: 'object',
  properties: {
    // null is no token (the e-mail and password are used), as it always was.
    token: { ...secret('must be the admin token, as text'), type: ['string', 'null'] },
    email,
    password: secret(`must be text of at most ${MAX_SECRET} characters`),
  },
};

export const inviteBody: SchemaObject = {
  type: 'object',
  properties: {
    invite: secret('must be the invitation'),
    password: newPassword(`must be ${MIN_PASSWORD} to ${MAX_SECRET} characters, sent with the invitation`),
  },
};

export const newAccountBody: SchemaObject = {
  type: 'object',
  properties: {
    email,
    ...accountFields,
    password: newPassword(`must be at least ${MIN_PASSWORD} characters (or left out to invite)`),
  },
};

export const accountChangesBody: SchemaObject = {
  type: 'object',
  properties: {
    ...accountFields,
    password: newPassword(`must be at least ${MIN_PASSWORD} characters`),
    current_password: secret('is required to change your own password'),
  },
};
