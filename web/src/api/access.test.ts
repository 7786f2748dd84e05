import { describe, expect, it } from 'vitest';
import { can } from './access';

describe('what each role may do', () => {
  it('follows the server: viewers read, editors build and run, admins and owners everything', () => {
    const table = (['owner', 'admin', 'editor', 'viewer', null] as const).map((role) =>
      [role, (['read', 'edit', 'run', 'admin'] as const).filter((action) => can(role, action))]);
    expect(table).toEqual([
      ['owner', ['read', 'edit', 'run', 'admin']],
      ['admin', ['read', 'edit', 'run', 'admin']],
      ['editor', ['read', 'edit', 'run']],
      ['viewer', ['read']],
      [null, []],
    ]);
  });
});
