// status.js: the status line, the loading message and the error box (with its Retry).
import { h, $ } from './dom.js';
import { app } from './state.js';

let statusText = '';
/** Show `text` as the loading message, or (null) hide it and put back the last status line. */
export function busy(text) {
  $('#map-loading').hidden = !text;
  $('#loading-text').textContent = text || '';
  $('#status').textContent = text || statusText;
}
export const setStatus = (text) => { statusText = text; $('#status').textContent = text; };

export function showError(err, retry) {
  console.warn('smartspec:', err);
  app.status = 'error';
  app.error = err.message;
  const box = $('#error');
  box.replaceChildren(h('strong', {}, 'Something went wrong. '), err.message,
    retry ? h('button', { type: 'button', onclick: () => { box.hidden = true; retry(); } }, 'Retry') : null,
    h('button', { type: 'button', class: 'close', 'aria-label': 'Dismiss', onclick: () => { box.hidden = true; } }, '×'));
  box.hidden = false;
  busy(null);
  $('#status').textContent = `Error: ${err.message}`;
}
