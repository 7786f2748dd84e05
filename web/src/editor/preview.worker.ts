// The preview worker: evaluates expressions another member may have written away from the page, so they see no DOM,
// storage or token, and one that never ends is terminated from outside (preview.ts).
import { evaluateValue, type PreviewContext } from './evaluate';

interface Request {
  id: number;
  value: unknown;
  context: PreviewContext;
}

const scope = self as unknown as { onmessage: ((e: MessageEvent<Request>) => void) | null; postMessage: (message: unknown) => void };

scope.onmessage = (e) => {
  const { id, value, context } = e.data;
  try {
    const result = evaluateValue(value, context);
    scope.postMessage({ id, ok: true, value: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (error) {
    scope.postMessage({ id, ok: false, error: String((error as Error | null)?.message ?? error) });
  }
};
