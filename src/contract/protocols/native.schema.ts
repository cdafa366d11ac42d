/** The native event (the seed's body), as `POST /`, `/e` and `/beacon` accept it. */
import { checkEventTime, compileValidator } from '../event-validator.ts';

const id = { type: ['string', 'number'], maxLength: 256 };
const shortText = (max: number) => ({ type: 'string', maxLength: max });

export const nativeEventSchema = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { type: 'string', minLength: 1, maxLength: 200 },
    user_id: id,
    session_id: id,
    timestamp: { type: ['string', 'number'] },
    locale: shortText(35),
    path: shortText(4096),
    url: shortText(8192),
    referrer: shortText(8192),
    title: shortText(1024),
    appVersion: shortText(128),
    app_version: shortText(128),
    /** The screen's width in CSS pixels, or its class (`Mobile`, `Tablet`, `Laptop`, `Desktop`). */
    screen_size: { type: ['string', 'number'], maxLength: 32 },
    details: { type: 'object' },
  },
  // Unknown top-level fields are kept with the event's properties rather than refused: SDKs add fields.
  additionalProperties: true,
};

export const nativeEventValidator = compileValidator(nativeEventSchema, (e) =>
  checkEventTime(e.timestamp, 'timestamp'),
);
