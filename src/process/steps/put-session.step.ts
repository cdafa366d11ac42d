import type { SessionTracker } from '../enrich/session-tracker.ts';
import type { Step } from './step.ts';

/** A client's own session id is kept; without one, the visitor's events are sessionised by inactivity. */
export function putSession(tracker: SessionTracker): Step {
  return {
    name: 'put-session',
    run(row) {
      if (row.session_id !== '' || row.visitor_id === '0') return;
      row.session_id = tracker.assign(row.project, row.visitor_id, Date.parse(row.timestamp));
    },
  };
}
