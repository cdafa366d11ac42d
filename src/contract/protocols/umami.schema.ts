/** Umami's `POST /api/send`: `{type: "event" | "identify", payload: {website, hostname, url, referrer, title, name, data, language, screen, id}}`. */
import { compileValidator } from '../event-validator.ts';

export const umamiSendValidator = compileValidator({
  type: 'object',
  required: ['type', 'payload'],
  properties: {
    type: { enum: ['event', 'identify'] },
    payload: {
      type: 'object',
      required: ['website'],
      properties: {
        website: { type: 'string', minLength: 1, maxLength: 64 },
        hostname: { type: 'string', maxLength: 255 },
        url: { type: 'string', maxLength: 2000 },
        referrer: { type: 'string', maxLength: 2000 },
        title: { type: 'string', maxLength: 1000 },
        name: { type: 'string', maxLength: 200 },
        data: { type: 'object' },
        language: { type: 'string', maxLength: 35 },
        screen: { type: 'string', maxLength: 20 },
        id: { type: 'string', maxLength: 256 },
      },
      additionalProperties: true,
    },
  },
  additionalProperties: true,
});
