/** The API's JSON, privacy (src/privacy/privacy.routes.ts): types only (see ../api-types.ts). */

export interface PrivacyRequest {
  id: string;
  kind: 'erase' | 'export';
  project: string;
  subject_type: string;
  subject_hash: string;
  requested_by: string;
  requested_at: string;
  status: string;
  finished_at: string | null;
  counts: Record<string, number>;
}

export interface Erased {
  request: string;
  removed: Record<string, number>;
}
