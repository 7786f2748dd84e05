// What a member's role lets them do, as the server decides it (Infrastructure/Access/Roles.cs): the editor hides what
// would be refused, and the server still refuses it.
import type { Role } from './types';

export type Action = 'read' | 'edit' | 'run' | 'admin';

export function can(role: Role | null | undefined, action: Action): boolean {
  switch (role) {
    case 'owner':
    case 'admin':
      return true;
    case 'editor':
      return action !== 'admin';
    case 'viewer':
      return action === 'read';
    default:
      return false;
  }
}
