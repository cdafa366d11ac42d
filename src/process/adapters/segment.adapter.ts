/**
 * Segment messages → canonical rows. Follows Segment's documented semantics: `messageId` is the event id, the
 * event time is corrected for client clock skew (`timestamp = receivedAt − (sentAt − originalTimestamp)`),
 * `context.ip` / `context.userAgent` describe the end user (server-side SDKs send on their behalf),
 * `context.page` and `context.campaign` fill the page and UTM fields, identify traits become profile traits.
 */
import { parseEventTime } from '../../contract/event-validator.ts';
import { canonicalType } from '../event-row.ts';
import { isoTime, obj, type ProtocolAdapter, text, UnusableEvent, uuidFromKey } from './adapter.ts';
import { screenSize } from './screen-size.ts';

type Message = Record<string, unknown>;

/** A UUID derived from the messageId, so the same message always gets the same event id. */
export function eventIdFromMessageId(messageId: string): string {
  return uuidFromKey('segment', messageId);
}

function eventTime(message: Message, batchSentAt: unknown, receivedAt: number): number {
  const original = message.timestamp ?? message.originalTimestamp;
  if (original === undefined || original === null) return receivedAt;
  const t = parseEventTime(original);
  if (Number.isNaN(t))
    throw new UnusableEvent('bad_timestamp', `timestamp "${text(original)}" is not a date`);
  const sentAt = parseEventTime(message.sentAt ?? batchSentAt);
  // Clock-skew correction applies to client-generated times (originalTimestamp), not to an explicit timestamp.
  if (message.timestamp === undefined && !Number.isNaN(sentAt)) return receivedAt - (sentAt - t);
  return t;
}

/**
 * A batch body is `{batch: [messages], sentAt?, context?}`: each message gets the batch's `sentAt` (for the
 * clock-skew correction) and its `context` as defaults.
 */
export function splitSegmentBody(parsed: unknown, call: string | undefined): unknown[] {
  if (call !== 'batch') return [parsed];
  const body = obj(parsed);
  const shared = obj(body.context);
  const list = Array.isArray(body.batch) ? body.batch : [];
  return list.map((item) => {
    const m = obj(item);
    return {
      ...m,
      sentAt: m.sentAt ?? body.sentAt,
      context: { ...shared, ...obj(m.context) },
    };
  });
}

const TYPE_OF_CALL: Record<string, string> = {
  page: 'pageview',
  screen: 'screen',
  identify: 'identify',
  group: 'group',
  alias: 'alias',
};

export const segmentAdapter: ProtocolAdapter = (event, envelope, row, context) => {
  const m = obj(event);
  const call = String(envelope.call === 'batch' || envelope.call === undefined ? m.type : envelope.call);
  if (!(call in TYPE_OF_CALL) && call !== 'track')
    throw new UnusableEvent('unknown_call', `unknown Segment call "${call}"`);
  const ctx = obj(m.context);
  const page = obj(ctx.page);
  const campaign = obj(ctx.campaign);
  const properties = obj(m.properties);
  if (typeof m.messageId === 'string' && m.messageId !== '') row.event_id = eventIdFromMessageId(m.messageId);
  row.type = call === 'track' ? canonicalType(text(m.event, 200)) : TYPE_OF_CALL[call];
  row.timestamp = isoTime(eventTime(m, undefined, envelope.receivedAt));
  row.user_id = text(m.userId, 256);
  context.anonymousId = text(m.anonymousId, 256);
  if (typeof ctx.ip === 'string' && ctx.ip !== '') context.ip = ctx.ip;
  if (typeof ctx.userAgent === 'string' && ctx.userAgent !== '') context.ua = ctx.userAgent;
  row.locale = text(ctx.locale, 35);
  row.app_version = text(obj(ctx.app).version, 128);
  row.screen_size = screenSize(obj(ctx.screen).width);
  const pageUrl = properties.url ?? page.url;
  if (typeof pageUrl === 'string') context.pageUrl = pageUrl;
  row.path = text(properties.path ?? page.path);
  row.referrer = text(properties.referrer ?? page.referrer);
  row.utm_source = text(campaign.source, 256);
  row.utm_medium = text(campaign.medium, 256);
  row.utm_campaign = text(campaign.name, 256);
  row.utm_term = text(campaign.term, 256);
  row.utm_content = text(campaign.content, 256);
  let props: Record<string, unknown>;
  if (call === 'identify') props = { ...obj(ctx.traits), ...obj(m.traits) };
  else if (call === 'group') props = { groupId: m.groupId, ...obj(m.traits) };
  else if (call === 'alias') props = { previousId: m.previousId };
  else props = { ...properties };
  if ((call === 'page' || call === 'screen') && m.name) props.name = m.name;
  if (call === 'page' && m.category) props.category = m.category;
  row.props = JSON.stringify(props);
};
