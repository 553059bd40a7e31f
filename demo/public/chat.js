/* global document, localStorage, location */
// The chat page: @rfc6455/browser's reconnecting WebSocket in JSON mode. On every (re)connect it
// says hello with the current name; what arrives is appended with textContent (never as HTML).
import { WebSocket } from '@rfc6455/browser';

const $ = (id) => document.getElementById(id);
const status = $('status');
const log = $('log');
const nameInput = $('name');

nameInput.value = localStorage.getItem('chat-name') || `guest-${Math.floor(Math.random() * 9000 + 1000)}`;

function show(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}

function append(parts, className) {
  const item = document.createElement('li');
  if (className) item.className = className;
  for (const [text, partClass] of parts) {
    const span = document.createElement('span');
    if (partClass) span.className = partClass;
    span.textContent = text;
    item.append(span);
  }
  log.append(item);
  item.scrollIntoView({ block: 'nearest' });
}

// A function, so each reconnect attempt re-reads the page's address.
const url = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/chat`;
const socket = new WebSocket(url, [], { parse: 'json', reconnect: { minDelayMs: 500, maxDelayMs: 5000 } });

socket.addEventListener('open', () => {
  show('open', 'connected');
  socket.json({ type: 'hello', name: nameInput.value });
});
socket.addEventListener('message', ({ data }) => {
  if (data.type === 'message') append([[data.name, 'name'], [data.text, 'text']], 'message');
  else if (data.type === 'join') append([[`${data.name} joined (${data.online} online)`]], 'notice');
  else if (data.type === 'leave') append([[`${data.name} left (${data.online} online)`]], 'notice');
});
socket.addEventListener('reconnect', ({ attempt, delayMs }) => show('reconnecting', `reconnecting (attempt ${attempt}, in ${Math.round(delayMs / 100) / 10} s)…`));
socket.addEventListener('giveup', () => show('closed', 'gave up reconnecting; reload the page'));
socket.addEventListener('close', ({ willReconnect }) => {
  if (!willReconnect) show('closed', 'disconnected');
});
socket.addEventListener('error', ({ error }) => console.warn('chat:', error.code, error.message));

$('name-form').addEventListener('submit', (event) => {
  event.preventDefault();
  localStorage.setItem('chat-name', nameInput.value);
  // A later hello renames this connection (the server announces only the first).
  if (socket.isOpen()) socket.json({ type: 'hello', name: nameInput.value });
});

$('message-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('message');
  const text = input.value.trim();
  if (text === '') return;
  try {
    // Queued by the client while it reconnects; a full queue throws rather than dropping it.
    socket.json({ type: 'message', text });
    input.value = '';
  } catch (err) {
    append([[`not sent: ${err.message}`]], 'notice');
  }
});
