import { render } from 'preact';
import { App } from './App.tsx';
import { restoreSession } from './session.ts';
import './styles.css';

const root = document.getElementById('app')!;
root.textContent = '';
render(<App />, root);
void restoreSession();
