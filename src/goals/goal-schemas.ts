/**
 * What the goals and saved-funnels routes take, as JSON Schema (checked by src/server/route-schemas.ts): types,
 * enums, lengths and list sizes. What needs more than the shape — a page pattern's form, control characters, the
 * project existing, a funnel's steps — is checked in goal-input.ts and saved-funnels.ts. Fields a route does not know
 * are ignored, as they always were (the dashboard sends a goal back whole).
 */
import type { SchemaObject } from '../config/json-schema.ts';
import { MAX_CONDITIONS, MAX_NAME, MAX_VALUE } from './goal-input.ts';

const project: SchemaObject = { type: 'string', maxLength: 200, hint: 'must name an existing project' };

const condition: SchemaObject = {
  type: 'object',
  properties: {
    key: { type: 'string', minLength: 1, maxLength: 200, hint: 'the property name is required' },
    op: { type: 'string', enum: ['is', 'is_not'], hint: 'must be "is" or "is_not"' },
    value: { type: 'string', maxLength: MAX_VALUE, hint: `a string of at most ${MAX_VALUE} characters` },
  },
  required: ['key', 'value'],
  hint: 'must be {"key":"plan","op":"is","value":"pro"}',
};

const goalFields: Record<string, SchemaObject> = {
  project,
  kind: {
    type: 'string',
    enum: ['event', 'page'],
    hint: 'must be "event" (an event type) or "page" (a path pattern)',
  },
  value: {
    type: 'string',
    maxLength: MAX_VALUE,
    hint: { type: 'must be a string', maxLength: `at most ${MAX_VALUE} characters` },
  },
  conditions: {
    type: ['array', 'null'],
    maxItems: MAX_CONDITIONS,
    items: condition,
    hint: `an array of at most ${MAX_CONDITIONS} {"key","op","value"} property conditions`,
  },
  name: {
    type: 'string',
    maxLength: MAX_NAME,
    hint: { type: 'must be a string', maxLength: `at most ${MAX_NAME} characters` },
  },
};

/** A new goal: its project and kind are required (a missing value is named by goal-input.ts, by kind). */
const notObject = { type: 'must be a JSON object' };

export const newGoalBody: SchemaObject = {
  type: 'object',
  hint: notObject,
  properties: goalFields,
  required: ['project', 'kind'],
};

/** An edit: what it leaves out keeps its value. */
export const goalChangesBody: SchemaObject = { type: 'object', hint: notObject, properties: goalFields };

export const newFunnelBody: SchemaObject = {
  type: 'object',
  hint: notObject,
  properties: {
    project,
    name: { type: 'string', maxLength: 200, hint: `a name of 1 to ${MAX_NAME} characters is required` },
    steps: { type: 'array', maxItems: 8, hint: 'must be an array of 2 to 8 steps' },
  },
  required: ['project', 'name'],
};
