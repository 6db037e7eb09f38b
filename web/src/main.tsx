import { render } from 'preact';
import { App } from './App.tsx';
import { restoreSession } from './session.ts';
// Joins the home room (presence, DMs, notifications, AI progress) whenever someone is signed in.
import './home.ts';
import './styles.css';

const root = document.getElementById('app')!;
root.textContent = '';
render(<App />, root);
void restoreSession();
