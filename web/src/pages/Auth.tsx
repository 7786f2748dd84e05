import { type FormEvent, useState } from 'react';
import { api } from '../api/client';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import { LogoMark } from '../ui/icons';
import { ProblemBox, useAction } from '../ui/kit';

export function AuthPage({ mode }: { mode: 'login' | 'signup' }) {
  const { signIn } = useSession();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const signup = mode === 'signup';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await action.run(async () => {
      const session = signup ? await api.signup(email, password, name) : await api.login(email, password);
      signIn(session);
      navigate('/', true);
    });
  };

  return (
    <div className="auth">
      <form className="auth-card" onSubmit={submit}>
        <span className="logo"><LogoMark /> Plexus</span>
        <h1>{signup ? 'Create your account' : 'Welcome back'}</h1>
        <p className="lead">{signup ? 'Build backends as graphs: draw, run, publish.' : 'Log in to your workflows.'}</p>
        <ProblemBox error={action.error} />
        {signup && (
          <div className="field">
            <label htmlFor="name">Your name</label>
            <input id="name" className="input" value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" required />
          </div>
        )}
        <div className="field">
          <label htmlFor="email">Email</label>
          <input id="email" className="input" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" required />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input id="password" className="input" type="password" value={password} onChange={(e) => setPassword(e.target.value)}
            autoComplete={signup ? 'new-password' : 'current-password'} required minLength={signup ? 10 : undefined} />
          {signup && <span className="hint">At least 10 characters.</span>}
        </div>
        <button className="btn primary" style={{ width: '100%', justifyContent: 'center', height: 38 }} disabled={action.busy}>
          {signup ? 'Create account' : 'Log in'}
        </button>
        <p className="muted" style={{ textAlign: 'center', marginTop: 18, marginBottom: 0 }}>
          {signup ? <>Have an account? <Link to="/login">Log in</Link></> : <>New here? <Link to="/signup">Create an account</Link></>}
        </p>
      </form>
    </div>
  );
}
