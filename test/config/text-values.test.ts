// The one reading of booleans and numbers written as text, and the JSON Schema problems operators read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileSchema } from '../../src/config/json-schema.ts';
import { boolFromText, decimalFromText, wholeNumberFromText } from '../../src/config/text-values.ts';

describe('text values', () => {
  it('reads booleans one way everywhere', () => {
    for (const t of ['1', 'true', 'YES', ' on ']) assert.equal(boolFromText(t), true, t);
    for (const t of ['0', 'false', 'No', 'off', '']) assert.equal(boolFromText(t), false, t);
    for (const t of ['maybe', '2', 'y']) assert.equal(boolFromText(t), undefined, t);
  });

  it('reads whole numbers as digits only', () => {
    assert.equal(wholeNumberFromText(' 42 '), 42);
    assert.equal(wholeNumberFromText('-7'), -7);
    for (const t of ['1e3', '0x10', '10.0', '1_000', '', 'many', '99999999999999999999'])
      assert.equal(wholeNumberFromText(t), undefined, t);
  });

  it('reads plain decimals', () => {
    assert.equal(decimalFromText('0.25'), 0.25);
    assert.equal(decimalFromText('.5'), 0.5);
    assert.equal(decimalFromText('1'), 1);
    for (const t of ['1e-1', '0x1', '', 'half']) assert.equal(decimalFromText(t), undefined, t);
  });
});

describe('schema problems', () => {
  const check = compileSchema({
    type: 'object',
    hint: 'must be an object',
    unknownHint: 'unknown field; known: {known}',
    properties: {
      name: { type: 'string', minLength: 1, hint: { type: 'text, got {got}', default: 'required' } },
      size: { type: 'integer', minimum: 1, hint: 'a whole number ≥ 1, got {got}', missingHint: 'is needed' },
      tags: { type: 'array', items: { type: 'string', hint: '{got} is not a tag' } },
      to: { type: 'array', items: { type: 'string' }, hint: 'a list of addresses' },
    },
    required: ['size'],
    additionalProperties: false,
  });

  it('names each field once, unknown fields first, then in the schema’s order', () => {
    assert.deepEqual(check.problems({ colour: 1, size: 0, name: 5, tags: ['a', 3], to: ['x', 4] }, 'r'), [
      'r.colour: unknown field; known: name, size, tags, to',
      'r.name: text, got 5',
      'r.size: a whole number ≥ 1, got 0',
      'r.tags[1]: 3 is not a tag',
      'r.to: a list of addresses',
    ]);
    assert.deepEqual(check.problems({ name: '' }, 'r'), ['r.name: required', 'r.size: is needed']);
    assert.deepEqual(check.problems([], 'r'), ['r: must be an object']);
    assert.deepEqual(check.problems({ size: 2 }, 'r'), []);
  });
});
