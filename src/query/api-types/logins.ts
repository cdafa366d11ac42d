/** The API's JSON, logins (src/dashboard/auth.routes.ts): types only (see ../api-types.ts). */

export interface Me {
  email: string;
  name: string;
  admin: boolean;
  projects: string[];
  /** Projects this account is admin of (their goals and saved funnels), when it is not admin of every one. */
  admin_of?: string[];
  /** Sites that report in a zone of their own (project → IANA zone). */
  time_zones?: Record<string, string>;
  shared?: boolean;
}

export interface Account {
  email: string;
  name: string;
  roles: Record<string, string>;
  invited: boolean;
  /** While invited: when the invitation link stops working. */
  invitation_expires?: string;
}
