import { isbot } from 'isbot';
import type { Step } from './step.ts';

/** Bots are kept but flagged: stats exclude them, and nothing accepted is thrown away. */
export const putBot: Step = {
  name: 'put-bot',
  run(row, envelope) {
    row.is_bot = envelope.ua === '' ? false : isbot(envelope.ua);
    if (row.is_bot) row.device_type = 'bot';
  },
};
