import { describe, expect, it } from 'vitest';
import { setupProblem } from './validation';

const ok = { token: 'setup_abc', username: 'anna', password: 'correct horse battery', repeat: 'correct horse battery' };

describe('setupProblem', () => {
  it('accepts a complete form', () => {
    expect(setupProblem(ok)).toBeNull();
  });

  it('names the first problem and the field to focus', () => {
    expect(setupProblem({ ...ok, token: ' ' })).toEqual({ kind: 'token', field: 'token' });
    expect(setupProblem({ ...ok, username: 'a' })).toEqual({ kind: 'username', field: 'username' });
    expect(setupProblem({ ...ok, password: 'short', repeat: 'short' })).toEqual({ kind: 'short', field: 'password' });
    expect(setupProblem({ ...ok, password: 'my name is ANNA!', repeat: 'my name is ANNA!' })).toEqual({
      kind: 'hasName',
      field: 'password',
    });
    expect(setupProblem({ ...ok, repeat: 'something else' })).toEqual({ kind: 'differ', field: 'repeat' });
  });
});
