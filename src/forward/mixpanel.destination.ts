/**
 * Mixpanel's Import API (`POST /import`): a JSON array of `{event, properties}` with `time` (ms), `distinct_id`
 * and `$insert_id` (the event id: Mixpanel drops a second copy with the same one), Basic auth with the project
 * token. Page views are named `$mp_web_page_view`, as Mixpanel's own SDK names them; other types keep theirs.
 */

import type { ForwardEvent } from './forward-event.ts';
import { basicAuth, type Formatter, USER_AGENT } from './outgoing-request.ts';

function nonEmpty(entries: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entries)) if (v !== '' && v !== undefined) out[k] = v;
  return out;
}

export function toMixpanel(e: ForwardEvent): { event: string; properties: Record<string, unknown> } {
  return {
    event: e.type === 'pageview' ? '$mp_web_page_view' : e.type,
    properties: {
      ...e.props,
      ...nonEmpty({
        $user_id: e.user_id,
        $device_id: e.user_id === '' ? e.visitor_id : '',
        $current_url: e.host !== '' ? `https://${e.host}${e.path}` : '',
        $pathname: e.path,
        $referrer: e.referrer,
        $referring_domain: e.referrer_source,
        $browser: e.browser,
        $browser_version: e.browser_version,
        $os: e.os,
        $city: e.city,
        $region: e.region,
        mp_country_code: e.country,
        utm_source: e.utm_source,
        utm_medium: e.utm_medium,
        utm_campaign: e.utm_campaign,
        utm_term: e.utm_term,
        utm_content: e.utm_content,
        $app_version_string: e.app_version,
        sightline_project: e.project,
      }),
      time: Date.parse(e.timestamp),
      distinct_id: e.user_id !== '' ? e.user_id : `$device:${e.visitor_id}`,
      $insert_id: e.event_id,
    },
  };
}

export const formatMixpanel: Formatter = (events, spec) => ({
  body: JSON.stringify(events.map(toMixpanel)),
  headers: {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    authorization: basicAuth(spec.token ?? ''),
  },
});
