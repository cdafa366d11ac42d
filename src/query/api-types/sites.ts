/** The API's JSON, sites (src/sites/sites.routes.ts): types only (see ../api-types.ts). */

export interface SiteKey {
  id: string;
  prefix: string;
  created_at: string | null;
  expires_at: string | null;
  managed: boolean;
}

export interface Site {
  name: string;
  display_name: string;
  domains: string[];
  time_zone: string;
  allowed_origins: string[];
  retention_days: number;
  public: boolean;
  managed: boolean;
  keyless: boolean;
  created_at: string | null;
  updated_at: string | null;
  keys: SiteKey[];
}

export interface SiteEvents {
  events: number;
  latest: string | null;
}

/** A key as it is created: the only time the whole key is shown. */
export interface NewKey {
  id: string;
  prefix: string;
  key: string;
}
