/** The Nealytics-shaped event of `/api/v1/telemetry/track` and `/beacon` (see the seed 004). */
import { checkEventTime, compileValidator } from '../event-validator.ts';
import { JsonTooDeep, parseJsonWithinDepth } from '../json-depth.ts';

export const telemetryEventSchema = {
  type: 'object',
  required: ['eventType'],
  properties: {
    projectId: { type: 'string', maxLength: 64 },
    tenantId: { type: ['string', 'null'], maxLength: 128 },
    sessionId: { type: ['string', 'null'], maxLength: 256 },
    eventType: { type: 'string', minLength: 1, maxLength: 200 },
    itemId: { type: ['string', 'null'], maxLength: 4096 },
    metadataJson: { type: ['string', 'null'], maxLength: 65536 },
    timestamp: { type: ['string', 'number'] },
  },
  additionalProperties: false,
};

export const telemetryEventValidator = compileValidator(telemetryEventSchema, (e) => {
  const problems = checkEventTime(e.timestamp, 'timestamp');
  if (typeof e.metadataJson === 'string' && e.metadataJson !== '') {
    try {
      const parsed: unknown = parseJsonWithinDepth(e.metadataJson, 'metadataJson');
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        problems.push({ field: 'metadataJson', message: 'must hold a JSON object' });
    } catch (err) {
      if (err instanceof JsonTooDeep) throw err;
      problems.push({ field: 'metadataJson', message: 'is not valid JSON' });
    }
  }
  return problems;
});
