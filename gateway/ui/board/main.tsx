import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import './board.css';
import { App } from './views/App';

const root = document.getElementById('board');
if (!root) throw new Error('index.html lacks the #board element');
root.textContent = '';
render(<App />, root);
