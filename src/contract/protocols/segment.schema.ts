/**
 * Segment's HTTP Tracking API messages (track, page, screen, identify, group, alias, and batches of them), as
 * Segment documents them: an identity (`userId` or `anonymousId`) on every call, `event` on track, `groupId` on
 * group, `previousId` on alias. Unknown fields are allowed — SDKs add their own.
 */
import { checkEventTime, compileValidator, type EventValidator } from '../event-validator.ts';

export const SEGMENT_CALLS = ['track', 'page', 'screen', 'identify', 'group', 'alias'] as const;
export type SegmentCall = (typeof SEGMENT_CALLS)[number];

/** Segment's documented limits. */
export const MESSAGE_LIMIT_BYTES = 32 * 1024;
export const BATCH_LIMIT_BYTES = 500 * 1024;

const id = { type: ['string', 'number', 'null'], maxLength: 256 };
const object = { type: ['object', 'null'] };

function schemaFor(call: SegmentCall, inBatch: boolean) {
  const required: string[] = [];
  if (call === 'track') required.push('event');
  if (call === 'group') required.push('groupId');
  if (call === 'alias') required.push('userId', 'previousId');
  if (inBatch) required.push('type');
  return {
    type: 'object',
    required,
    properties: {
      type: { enum: [...SEGMENT_CALLS] },
      messageId: { type: 'string', maxLength: 256 },
      userId: id,
      anonymousId: id,
      previousId: id,
      groupId: id,
      event: { type: 'string', minLength: 1, maxLength: 200 },
      name: { type: ['string', 'null'], maxLength: 1024 },
      category: { type: ['string', 'null'], maxLength: 1024 },
      timestamp: { type: ['string', 'number'] },
      originalTimestamp: { type: ['string', 'number'] },
      sentAt: { type: ['string', 'number'] },
      context: object,
      properties: object,
      traits: object,
      integrations: object,
    },
    additionalProperties: true,
  };
}

function identityCheck(call: SegmentCall) {
  return (e: Record<string, unknown>) => {
    const problems = [
      ...checkEventTime(e.timestamp, 'timestamp'),
      ...checkEventTime(e.originalTimestamp, 'originalTimestamp'),
    ];
    const has = (v: unknown) => v !== undefined && v !== null && v !== '';
    if (call !== 'alias' && !has(e.userId) && !has(e.anonymousId))
      problems.push({ field: 'userId', message: 'userId or anonymousId is required' });
    return problems;
  };
}

const single = new Map<SegmentCall, EventValidator>();
const batched = new Map<SegmentCall, EventValidator>();
for (const call of SEGMENT_CALLS) {
  single.set(call, compileValidator(schemaFor(call, false), identityCheck(call)));
  batched.set(call, compileValidator(schemaFor(call, true), identityCheck(call)));
}

/** The validator of a single call, or of a batch item (whose `type` names its call). */
export const segmentCallValidator = (call: SegmentCall): EventValidator => single.get(call)!;

export const segmentBatchItemValidator: EventValidator = {
  check(event, index) {
    const type = (event as { type?: unknown } | null)?.type;
    const validator = typeof type === 'string' ? batched.get(type as SegmentCall) : undefined;
    if (!validator) return [{ index, field: 'type', message: `must be one of ${SEGMENT_CALLS.join(', ')}` }];
    return validator.check(event, index);
  },
};
