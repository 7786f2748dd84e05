import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, localTokens } from './api/client';
import type { Session } from './api/types';

interface SessionState {
  session: Session | null;
  signIn(session: Session): void;
  signOut(): void;
}

const Context = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(() => localTokens.get());
  const signIn = useCallback((next: Session) => {
    localTokens.set(next);
    setSession(next);
  }, []);
  const signOut = useCallback(() => {
    const current = localTokens.get();
    if (current) api.logout(current.refreshToken).catch(() => undefined);
    localTokens.set(null);
    setSession(null);
  }, []);
  useEffect(() => {
    api.onSignedOut = () => setSession(null);
  }, []);
  const value = useMemo(() => ({ session, signIn, signOut }), [session, signIn, signOut]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(Context);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}
