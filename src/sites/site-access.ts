/** Who may manage sites, and who a change is recorded for. */
import { forbidden } from '../query/errors.ts';
import { isAdminScope, type ReadScope, requireProjectAdmin } from '../query/read-auth.ts';

export const actorOf = (scope: ReadScope) =>
  scope.kind === 'user' && scope.email !== '' ? scope.email : 'admin-token';

/** The admin token or an admin of every project. */
export function requireSitesAdmin(scope: ReadScope): void {
  if (!isAdminScope(scope))
    throw forbidden('adding and deleting sites needs the admin token or an admin login');
}

/** Also an account that is admin of this one site. */
export const requireSiteAdmin = requireProjectAdmin;
