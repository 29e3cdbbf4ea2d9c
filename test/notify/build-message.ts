import { buildMessageId } from '../../src/notify/message.ts';
import type { OutgoingMessage } from '../../src/notify/message.ts';

let seq = 0;

/** An OutgoingMessage to one recipient with a fresh Message-ID; override what a test needs. */
export function buildMessage(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  seq += 1;
  return {
    messageId: buildMessageId(`notice-${seq}`, `recipient-${seq}`, 'breachdesk.test'),
    from: { name: 'Breachdesk', address: 'notices@provider.test' },
    to: { name: 'Tenant Admin', address: 'admin@tenant.test' },
    subject: 'Personal data breach notice',
    text: 'Hello,\nthis is a notice.\n',
    headers: { 'X-Breachdesk-Notice': `notice-${seq}` },
    ...overrides,
  };
}
