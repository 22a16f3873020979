import { render } from 'preact';
import { App } from './app.tsx';
import './styles.css';
import './styles-presenter.css';

render(<App />, document.getElementById('app')!);
