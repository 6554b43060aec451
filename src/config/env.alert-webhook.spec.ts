import { configProblems, loadConfig } from './env.js';

describe('ALERT_WEBHOOK_URL', () => {
  it('is optional: unset or empty means no webhook', () => {
    expect(loadConfig({}).alertWebhookUrl).toBeUndefined();
    expect(loadConfig({ ALERT_WEBHOOK_URL: ' ' }).alertWebhookUrl).toBeUndefined();
  });

  it('takes an http(s) URL', () => {
    const url = 'https://hooks.slack.com/services/T000/B000/XXXX';
    expect(loadConfig({ ALERT_WEBHOOK_URL: url }).alertWebhookUrl).toBe(url);
    expect(loadConfig({ ALERT_WEBHOOK_URL: 'http://alerts.internal:8080/hook' }).alertWebhookUrl).toBe(
      'http://alerts.internal:8080/hook',
    );
  });

  it('refuses anything else in one line that does not repeat the value (it holds a credential)', () => {
    for (const bad of [
      'hooks.slack.com/services/T000/SECRET',
      'ftp://example.com/SECRET',
      'mailto:SECRET@x.io',
    ])
      expect(configProblems({ ALERT_WEBHOOK_URL: bad })).toEqual([
        'ALERT_WEBHOOK_URL must be an http(s) URL',
      ]);
  });
});
