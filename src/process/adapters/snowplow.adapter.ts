/**
 * Snowplow tracker-protocol events → canonical rows. `eid` is the event id; time is the tracker's true timestamp
 * (`ttm`) or the device time corrected for clock skew as Snowplow derives it:
 * `collector time − (device sent time − device created time)`. Structured events keep their five fields,
 * self-describing events are named by their schema and keep its data, contexts are kept with the properties.
 */
import { JsonTooDeep } from '../../contract/json-depth.ts';
import { embeddedJson } from '../../contract/protocols/snowplow.schema.ts';
import { isoTime, obj, type ProtocolAdapter, text, UnusableEvent, uuidFromKey } from './adapter.ts';
import { screenSize } from './screen-size.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function splitSnowplowBody(parsed: unknown): unknown[] {
  const data = obj(parsed).data;
  return Array.isArray(data) ? data : [];
}

/** `iglu:com.acme/sign_up/jsonschema/1-0-0` → `sign_up`. */
export function nameOfSchema(schema: string): string {
  return schema.split('/')[1] ?? schema;
}

function ms(value: unknown): number {
  const n = Number(value);
  return value === undefined || value === '' || !Number.isFinite(n) ? Number.NaN : n;
}

function eventTime(e: Record<string, unknown>, received: number): number {
  const truth = ms(e.ttm);
  if (!Number.isNaN(truth)) return truth;
  const created = ms(e.dtm);
  const sent = ms(e.stm);
  if (!Number.isNaN(created) && !Number.isNaN(sent)) return received - (sent - created);
  return Number.isNaN(created) ? received : created;
}

const TYPES: Record<string, string> = {
  pv: 'pageview',
  pp: 'page_ping',
  tr: 'transaction',
  ti: 'transaction_item',
  ad: 'ad_impression',
};

export const snowplowAdapter: ProtocolAdapter = (event, envelope, row, context) => {
  const e = obj(event);
  const kind = String(e.e);
  let props: Record<string, unknown> = {};
  if (kind === 'se') {
    row.type = text(e.se_ac, 200) || 'structured';
    props = { category: e.se_ca, action: e.se_ac, label: e.se_la, property: e.se_pr, value: e.se_va };
    for (const k of Object.keys(props)) if (props[k] === undefined) delete props[k];
  } else if (kind === 'ue') {
    let sdj: Record<string, unknown>;
    try {
      sdj = obj(obj(embeddedJson(e, 'ue_pr', 'ue_px')).data);
    } catch (err) {
      if (err instanceof JsonTooDeep) throw new UnusableEvent('too_deep', err.message);
      throw new UnusableEvent('bad_json', 'ue_pr / ue_px is not valid JSON');
    }
    row.type = nameOfSchema(text(sdj.schema, 500)).slice(0, 200) || 'self_describing';
    props = { ...obj(sdj.data), schema: sdj.schema };
  } else {
    row.type = TYPES[kind] ?? kind;
  }
  try {
    const contexts = embeddedJson(e, 'co', 'cx');
    if (contexts) props.contexts = obj(contexts).data ?? contexts;
  } catch (err) {
    if (err instanceof JsonTooDeep) throw new UnusableEvent('too_deep', err.message);
    throw new UnusableEvent('bad_json', 'co / cx is not valid JSON');
  }
  if (e.page) props.title = e.page;
  if (e.p) props.platform = e.p;
  const eid = text(e.eid, 64);
  if (UUID.test(eid)) row.event_id = eid.toLowerCase();
  else if (eid) row.event_id = uuidFromKey('snowplow', eid);
  row.timestamp = isoTime(eventTime(e, envelope.receivedAt));
  row.user_id = text(e.uid, 256);
  context.anonymousId = text(e.duid ?? e.nuid, 256);
  row.session_id = text(e.sid, 256);
  row.locale = text(e.lang, 35);
  context.pageUrl = text(e.url, 8192);
  row.referrer = text(e.refr);
  row.screen_size = screenSize(e.res);
  if (typeof e.ua === 'string' && e.ua !== '') context.ua = e.ua;
  if (typeof e.ip === 'string' && e.ip !== '') context.ip = e.ip;
  row.props = JSON.stringify(props);
};
