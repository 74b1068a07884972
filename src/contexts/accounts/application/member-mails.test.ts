import { describe, expect, it } from 'vitest';
import { emailChangedNotice, welcomeMail } from './member-mails.ts';

describe('member mails', () => {
  it('welcome the member at their address, in text and in HTML', () => {
    const mail = welcomeMail({ email: 'ada@example.com', name: 'Ada Lovelace' }, 'https://bounded.example');
    expect(mail.to).toBe('ada@example.com');
    expect(mail.subject).toBe('Welcome to Bounded');
    expect(mail.text).toContain('Hello Ada Lovelace,');
    expect(mail.text).toContain('https://bounded.example/docs');
    expect(mail.html).toContain('<p>Hello Ada Lovelace,</p>');
  });

  it('escape member input in the HTML part', () => {
    const mail = welcomeMail(
      { email: 'x@example.com', name: '<script>alert("x")</script> & co' },
      'https://b.example',
    );
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain('<script>alert("x")</script> & co');
  });

  it('tell the old address about an email change, masking the new one', () => {
    const mail = emailChangedNotice(
      { old_email: 'ada@example.com', new_email: 'ada.king@example.org' },
      'https://bounded.example',
    );
    expect(mail.to).toBe('ada@example.com');
    expect(mail.text).toContain('changed from ada@example.com to a***@example.org');
    expect(mail.html).toContain('a***@example.org');
    expect(`${mail.text}${mail.html}`).not.toContain('ada.king');
  });
});
