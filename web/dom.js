// dom.js: a tiny element builder for HTML and SVG (text is always set as text, never parsed as HTML).

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** h('button', {class: 'x', onclick: f}, 'label', child...) */
export const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
/** s('path', {d: 'M0 0'}) for SVG elements. */
export const s = (tag, attrs, ...children) => build(document.createElementNS(SVG_NS, tag), attrs, children);
/** The first element matching the CSS selector `sel`. */
export const $ = (sel) => document.querySelector(sel);
