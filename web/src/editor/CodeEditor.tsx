import { type ReactNode, useMemo } from 'react';

const keywords = new Set('const let var function return if else for while do break continue switch case default new typeof instanceof in of try catch finally throw await async class extends null undefined true false this'.split(' '));
const token = /(\/\/[^\n]*|\/\*[\s\S]*?\*\/)|("(?:\\.|[^"\\])*"?|'(?:\\.|[^'\\])*'?|`(?:\\.|[^`\\])*`?)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_$][\w$]*)|(\{\{|\}\})/g;

/** JavaScript (and {{ expression }}) highlighting as spans; plain text between tokens is kept as is. */
export function highlight(source: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const m of source.matchAll(token)) {
    const at = m.index ?? 0;
    if (at > last) out.push(source.slice(last, at));
    const [text, comment, string, number, word, braces] = m;
    const cls = comment ? 'tk-com' : string ? 'tk-str' : number ? 'tk-num' : braces ? 'tk-expr' : word && keywords.has(word) ? 'tk-kw' : null;
    out.push(cls ? <span key={at} className={cls}>{text}</span> : text);
    last = at + text.length;
  }
  out.push(source.slice(last));
  return out;
}

/** A textarea over its own highlighted copy: light, accessible, and enough for node scripts. */
export function CodeEditor({ id, value, onChange, onFocus, onBlur, rows = 6 }: {
  id?: string; value: string; onChange: (value: string) => void; onFocus?: () => void; onBlur?: () => void; rows?: number;
}) {
  const lit = useMemo(() => highlight(value), [value]);
  return (
    <div className="code">
      <pre aria-hidden>{lit}{'\n'}</pre>
      <textarea id={id} spellCheck={false} rows={rows} value={value} onChange={(e) => onChange(e.target.value)} onFocus={onFocus} onBlur={onBlur}
        onKeyDown={(e) => {
          if (e.key === 'Tab') {
            e.preventDefault();
            const t = e.currentTarget;
            const { selectionStart: s, selectionEnd: end } = t;
            onChange(`${value.slice(0, s)}  ${value.slice(end)}`);
            requestAnimationFrame(() => t.setSelectionRange(s + 2, s + 2));
          }
        }} />
    </div>
  );
}
