/** The API's JSON, share links (src/query/shares.routes.ts): types only (see ../api-types.ts). */

export interface Share {
  id: string;
  project: string;
  name: string;
  created_at: string;
}
