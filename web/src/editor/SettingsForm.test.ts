import { describe, expect, it } from 'vitest';
import { fieldKind, fromText, toText } from './SettingsForm';

describe('schema-driven fields', () => {
  it('picks a control for each schema', () => {
    expect(fieldKind({ type: 'string', enum: ['GET', 'POST'] })).toBe('enum');
    expect(fieldKind({ type: 'string', format: 'javascript' })).toBe('code');
    expect(fieldKind({ type: 'string' })).toBe('text');
    expect(fieldKind({ type: 'integer' })).toBe('number');
    expect(fieldKind({ type: 'boolean' })).toBe('boolean');
    expect(fieldKind({ type: 'object' })).toBe('json');
    expect(fieldKind({})).toBe('any');
  });
  it('reads numbers with the schema limits', () => {
    expect(fromText('200', 'number', { type: 'integer', minimum: 100, maximum: 599 })).toEqual({ value: 200 });
    expect(fromText('99', 'number', { type: 'integer', minimum: 100 }).error).toMatch(/at least 100/);
    expect(fromText('1.5', 'number', { type: 'integer' }).error).toMatch(/whole/);
    expect(fromText('', 'number', { type: 'integer' })).toEqual({});
  });
  it('reads free values as JSON when they are JSON, else as text', () => {
    expect(fromText('{"a": 1}', 'any', {})).toEqual({ value: { a: 1 } });
    expect(fromText('={{ input.a }}', 'any', {})).toEqual({ value: '={{ input.a }}' });
    expect(fromText('Hello, {{ trigger.body.name }}!', 'any', {})).toEqual({ value: 'Hello, {{ trigger.body.name }}!' });
    expect(fromText('{"a": ', 'any', {}).error).toBeTruthy();
    expect(fromText('[1]', 'json', { type: 'object' }).error).toMatch(/object/);
  });
  it('shows values the way they are read back', () => {
    for (const value of [{ a: [1, 'x'] }, 'text', 42, true]) {
      expect(fromText(toText(value, 'any'), 'any', {}).value).toEqual(value);
    }
  });
});
