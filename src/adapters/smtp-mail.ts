import nodemailer from 'nodemailer';
import type { MailSender } from '../domain/auth-ports.js';

/**
 * SMTP through nodemailer. TLS follows the URL: `smtps://` connects with TLS, `smtp://`
 * upgrades with STARTTLS when the server offers it; credentials may sit in the URL.
 */
export function smtpMailSender(url: string, from: string): MailSender & { close(): void } {
  const transport = nodemailer.createTransport(url);
  return {
    async send(m) {
      await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text });
    },
    close: () => transport.close(),
  };
}
