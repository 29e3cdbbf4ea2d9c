import { describe, expect, it } from 'vitest';
import { buildMessageId, findMessageProblem } from '../../src/notify/message.ts';
import { buildMessage } from './build-message.ts';

describe('buildMessageId', () => {
  it('gives a retry of the same notice and recipient the same Message-ID', () => {
    expect(buildMessageId('n-1', 'r-1', 'mail.provider.test')).toBe(
      buildMessageId('n-1', 'r-1', 'mail.provider.test'),
    );
  });

  it('gives each recipient of a notice its own Message-ID', () => {
    expect(buildMessageId('n-1', 'r-1', 'provider.test')).not.toBe(
      buildMessageId('n-1', 'r-2', 'provider.test'),
    );
  });

  it('does not confuse ids that only differ in where they are split', () => {
    expect(buildMessageId('a.b', 'c', 'provider.test')).not.toBe(
      buildMessageId('a', 'b.c', 'provider.test'),
    );
  });

  it('is a valid msg-id even for ids holding spaces, @ and angle brackets', () => {
    const id = buildMessageId('<n 1@x>', 'r\r\n2', 'Provider.TEST');

    expect(id).toMatch(/^<bd\.[0-9a-f]{40}@provider\.test>$/);
  });

  it('refuses a domain that is not a hostname', () => {
    expect(() => buildMessageId('n', 'r', 'evil>\r\nBcc: x')).toThrow(
      expect.objectContaining({ code: 'BD_CONFIG_INVALID', field: 'domain' }),
    );
  });
});

describe('findMessageProblem', () => {
  it('accepts a well-formed message', () => {
    expect(findMessageProblem(buildMessage())).toBeNull();
  });

  it('names a Message-ID without angle brackets', () => {
    expect(findMessageProblem(buildMessage({ messageId: 'id@x.test' }))).toContain('messageId');
  });

  it('names a from address with a line break', () => {
    const msg = buildMessage({ from: { name: 'S', address: 'a@b.test\nBcc: c@d.test' } });

    expect(findMessageProblem(msg)).toContain('from address');
  });
});
