import { describe, expect, it } from 'vitest';
import { redactText, redactUrl } from '../../../src/app/redact.js';

describe('redactUrl', () => {
  it.each([
    ['http://scott:tiger@gpu-host:9400/metrics', 'http://scott:***@gpu-host:9400/metrics'],
    ['https://ghp_abcdef@example.com/x', 'https://***@example.com/x'],
    ['http://h/metrics?api_key=s3cret&x=1', 'http://h/metrics?api_key=***&x=1'],
    ['http://h/v1?token=abc&Access_Token=def&page=2', 'http://h/v1?token=***&Access_Token=***&page=2'],
    ['http://localhost:8000/v1', 'http://localhost:8000/v1'],
    ['hf://datasets/org/repo', 'hf://datasets/org/repo'],
  ])('%s → %s', (input, want) => {
    expect(redactUrl(input)).toBe(want);
  });

  it('masks credentials even in text that does not parse as a URL', () => {
    expect(redactUrl('http://user:pa ss@[bad')).toBe('http://user:***@[bad');
  });
});

describe('redactText', () => {
  it('redacts every URL in a message and leaves the rest', () => {
    const text = 'cannot reach http://a:b@h1:1/x (ECONNREFUSED); also https://h2/?key=k and done';
    expect(redactText(text)).toBe(
      'cannot reach http://a:***@h1:1/x (ECONNREFUSED); also https://h2/?key=*** and done',
    );
  });
});
