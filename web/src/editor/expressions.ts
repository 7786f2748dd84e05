// How a setting's value reads as literal, expression or template (the engine's rules, docs/workflows.md), and the
// state logic of the settings panel's expression toggle: switching a field between a fixed value and `={{ js }}`
// without losing what it meant, and the problems shown at the field.
import type { Json, JsonSchema } from '../api/types';

export interface TemplatePart {
  text: string;
  expression: boolean;
}

/**
 * Splits "text {{ js }} text" like the engine does: an expression ends at the first `}}` outside JavaScript
 * strings, comments and braces (so `{{ {a: {b: 1}} }}` and `{{ "}}" }}` work); a `{{` never closed stays text.
 */
export function splitTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let position = 0;
  while (position < text.length) {
    const open = text.indexOf('{{', position);
    if (open < 0) break;
    const start = open + 2;
    let end = scanCode(text, start, false);
    // An unterminated string or comment: the first "}}" ends it, so the syntax check reports the real problem.
    if (end < 0) end = text.indexOf('}}', start);
    if (end < 0) break;
    if (open > position) parts.push({ text: text.slice(position, open), expression: false });
    parts.push({ text: text.slice(start, end), expression: true });
    position = end + 2;
  }
  if (position < text.length) parts.push({ text: text.slice(position), expression: false });
  return parts;
}

function scanCode(text: string, from: number, nested: boolean): number {
  let depth = 0;
  let i = from;
  while (i >= 0 && i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '"' || c === "'") i = skipString(text, i);
    else if (c === '`') i = skipTemplateLiteral(text, i);
    else if (c === '/' && next === '/') {
      const lineEnd = text.indexOf('\n', i);
      i = lineEnd < 0 ? -1 : lineEnd + 1;
    } else if (c === '/' && next === '*') {
      const commentEnd = text.indexOf('*/', i + 2);
      i = commentEnd < 0 ? -1 : commentEnd + 2;
    } else if (c === '{') {
      depth++;
      i++;
    } else if (c === '}' && depth > 0) {
      depth--;
      i++;
    } else if (c === '}' && (nested || next === '}')) return i;
    else i++;
  }
  return -1;
}

function skipString(text: string, at: number): number {
  const quote = text[at];
  for (let i = at + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return i + 1;
  }
  return -1;
}

function skipTemplateLiteral(text: string, at: number): number {
  for (let i = at + 1; i >= 0 && i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '`') return i + 1;
    else if (text[i] === '$' && text[i + 1] === '{') i = scanCode(text, i + 2, true);
  }
  return -1;
}

/** What a string setting is to the engine. `"=..."` that is not one whole expression is a template of the rest. */
export type StringMeaning =
  | { kind: 'expression'; js: string }
  | { kind: 'template'; parts: TemplatePart[] }
  | { kind: 'literal'; text: string };

export function meaningOf(text: string): StringMeaning {
  if (text.startsWith('=')) {
    const rest = text.slice(1);
    const whole = splitTemplate(rest.trim());
    if (whole.length === 1 && whole[0]!.expression) return { kind: 'expression', js: whole[0]!.text };
    const parts = splitTemplate(rest);
    return parts.some((p) => p.expression) ? { kind: 'template', parts } : { kind: 'literal', text: rest };
  }
  const parts = splitTemplate(text);
  return parts.some((p) => p.expression) ? { kind: 'template', parts } : { kind: 'literal', text };
}

/** The JavaScript of a whole-value expression (`"={{ js }}"`), or null for anything else. */
export function expressionOf(value: Json | undefined): string | null {
  if (typeof value !== 'string') return null;
  const meaning = meaningOf(value);
  return meaning.kind === 'expression' ? meaning.js.trim() : null;
}

export function asExpression(js: string): string {
  return `={{ ${js.trim()} }}`;
}

/** Every piece of JavaScript inside a value: whole expressions and the holes of templates, in objects and arrays too. */
export function scriptsIn(value: Json | undefined): string[] {
  if (typeof value === 'string') {
    const meaning = meaningOf(value);
    if (meaning.kind === 'expression') return [meaning.js];
    if (meaning.kind === 'template') return meaning.parts.filter((p) => p.expression).map((p) => p.text);
    return [];
  }
  if (Array.isArray(value)) return value.flatMap(scriptsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(scriptsIn);
  return [];
}

/**
 * The JavaScript for a field switched from a fixed value to an expression, meaning the same thing: a JSON literal,
 * a template string as a JavaScript template literal, nothing for an empty field (the person writes it).
 */
export function expressionFromLiteral(value: Json | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') {
    const meaning = meaningOf(value);
    if (meaning.kind === 'expression') return meaning.js.trim();
    if (meaning.kind === 'template') {
      const quote = (t: string) => t.replace(/[`\\]/g, (c) => `\\${c}`).replace(/\$\{/g, '\\${');
      return '`' + meaning.parts.map((p) => (p.expression ? '${' + p.text.trim() + '}' : quote(p.text))).join('') + '`';
    }
    return JSON.stringify(meaning.text);
  }
  return JSON.stringify(value);
}

/** Whether a value is of the type a field's schema asks for (enum members, numbers within limits, ...). */
export function fitsSchema(value: Json, schema: JsonSchema): boolean {
  if (schema.enum) return schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value));
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length === 0) return true;
  return types.some((type) => {
    switch (type) {
      case 'string':
        return typeof value === 'string';
      case 'boolean':
        return typeof value === 'boolean';
      case 'null':
        return value === null;
      case 'array':
        return Array.isArray(value);
      case 'object':
        return value !== null && typeof value === 'object' && !Array.isArray(value);
      case 'integer':
      case 'number':
        return typeof value === 'number' && (type === 'number' || Number.isInteger(value))
          && (schema.minimum === undefined || value >= schema.minimum) && (schema.maximum === undefined || value <= schema.maximum);
      default:
        return true;
    }
  });
}

/**
 * The fixed value for a field switched back from an expression: the expression's own JSON literal when it is one,
 * else what it gave with the last run's data, when that fits the field; else the field is emptied.
 */
export function literalFromExpression(js: string, schema: JsonSchema, previewed?: { value: Json }): Json | undefined {
  const source = js.trim();
  const template = templateOfLiteral(source);
  // A template literal goes back to the template it came from.
  if (template !== null) return fitsSchema(template, schema) ? template : undefined;
  try {
    const value = JSON.parse(source) as Json;
    if (fitsSchema(value, schema)) return value;
  } catch {
    // Not a literal: what it evaluated to is the next best thing.
  }
  if (previewed && fitsSchema(previewed.value, schema)) return previewed.value;
  return undefined;
}

/** "`Hello, ${name}!`" → "Hello, {{ name }}!"; null unless the whole source is one template literal with a substitution. */
function templateOfLiteral(source: string): string | null {
  if (!source.startsWith('`') || skipTemplateLiteral(source, 0) !== source.length || !source.includes('${')) return null;
  let text = '';
  let i = 1;
  const end = source.length - 1;
  while (i < end) {
    const c = source[i]!;
    if (c === '\\') {
      text += source[i + 1] ?? '';
      i += 2;
    } else if (c === '$' && source[i + 1] === '{') {
      const close = scanCode(source, i + 2, true);
      if (close < 0) return null;
      text += `{{ ${source.slice(i + 2, close).trim()} }}`;
      i = close + 1;
    } else {
      text += c;
      i++;
    }
  }
  return text;
}

/** Problems of one script, as the field shows them: empty, not JavaScript, reads a node that does not run before. */
export function scriptProblems(js: string, upstream: ReadonlySet<string> | null): string[] {
  const source = js.trim();
  if (source === '') return ['the expression is empty: write JavaScript, e.g. input.id'];
  const problems: string[] = [];
  try {
    // Compiling only checks the syntax: nothing runs here (previews run in a worker).
    new Function(`"use strict"; return (${source}\n);`);
  } catch (e) {
    problems.push(`not valid JavaScript: ${(e as Error).message}`);
  }
  if (upstream) {
    for (const id of nodeReferences(source)) {
      if (!upstream.has(id)) problems.push(`reads nodes.${id}, which does not run before this node (only upstream nodes can be read)`);
    }
  }
  return problems;
}

const referencePattern = /\bnodes\s*(?:\?\.|\.)\s*([A-Za-z_$][\w$]*)|\bnodes\s*(?:\?\.)?\s*\[\s*(?:'([^'\\\r\n]*)'|"([^"\\\r\n]*)")\s*\]/g;

/** Node ids a script names as nodes.X, nodes["X"] or nodes['X'] (ids computed at run time are not found, as in the engine). */
export function nodeReferences(source: string): string[] {
  const ids = new Set<string>();
  for (const m of source.matchAll(referencePattern)) ids.add(m[1] ?? m[2] ?? m[3] ?? '');
  return [...ids];
}

/** The problem when an expression's value from the last run does not fit the field; null when it does. */
export function previewTypeProblem(value: Json, schema: JsonSchema): string | null {
  if (fitsSchema(value, schema)) return null;
  const want = schema.enum ? `one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`
    : schema.type === 'integer' ? 'a whole number' + limits(schema)
    : schema.type === 'number' ? 'a number' + limits(schema)
    : schema.type === 'string' ? 'text'
    : schema.type === 'boolean' ? 'true or false'
    : schema.type === 'array' ? 'a list'
    : schema.type === 'object' ? 'an object'
    : String(schema.type);
  return `with the last run's data this gives ${describeValue(value)}; the field needs ${want}`;
}

function limits(schema: JsonSchema): string {
  if (schema.minimum !== undefined && schema.maximum !== undefined) return ` from ${schema.minimum} to ${schema.maximum}`;
  if (schema.minimum !== undefined) return ` of at least ${schema.minimum}`;
  if (schema.maximum !== undefined) return ` of at most ${schema.maximum}`;
  return '';
}

function describeValue(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return `${typeof value === 'string' ? 'text' : typeof value === 'number' ? 'the number' : ''} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`.trim();
}

export type FieldMode = 'fixed' | 'expression';

export function modeOf(value: Json | undefined): FieldMode {
  return expressionOf(value) !== null ? 'expression' : 'fixed';
}

/** The value of a field after its toggle moves it to the other mode, keeping its meaning as far as it can. */
export function switchMode(value: Json | undefined, to: FieldMode, schema: JsonSchema, previewed?: { value: Json }): Json | undefined {
  if (to === modeOf(value)) return value;
  if (to === 'expression') return asExpression(expressionFromLiteral(value));
  return literalFromExpression(expressionOf(value) ?? '', schema, previewed);
}

/** Every problem of the scripts inside a value, each once. */
export function valueProblems(value: Json | undefined, upstream: ReadonlySet<string> | null): string[] {
  return [...new Set(scriptsIn(value).flatMap((js) => scriptProblems(js, upstream)))];
}
