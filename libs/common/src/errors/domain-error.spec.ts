import { describe, expect, it } from 'vitest';
import { defineErrors, DomainError, type ErrorCodeOf } from './domain-error.js';
import { toProblem } from './problem.js';

const CATALOG = defineErrors({ THING_NOT_FOUND: 404, THING_TAKEN: 409 });
type ThingErrorCode = ErrorCodeOf<typeof CATALOG>;

describe('domain errors and the error catalog', () => {
  it("gets a domain error's status from the catalog, keeping its code, detail and extra members", () => {
    const error = new DomainError<ThingErrorCode>('THING_TAKEN', 'That thing is taken', {
      extra: { thing: 't1' },
    });
    expect(toProblem(error, 'cid-1', CATALOG)).toMatchObject({
      status: 409,
      code: 'THING_TAKEN',
      detail: 'That thing is taken',
      thing: 't1',
      correlationId: 'cid-1',
      type: 'https://helpline.example/problems/thing-taken',
    });
  });

  it('makes a code missing from the catalog a plain 500, telling the client nothing of it', () => {
    const problem = toProblem(new DomainError('NOT_IN_CATALOG', 'internal detail'), 'cid-2', CATALOG);
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
    expect(JSON.stringify(problem)).not.toContain('internal detail');
  });

  it('freezes the catalog, so no code is added or remapped at run time', () => {
    expect(Object.isFrozen(CATALOG)).toBe(true);
  });
});
