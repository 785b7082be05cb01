/**
 * The chat page's script, served as /chat.js (the CSP allows no inline script). Every text from
 * the box is put on the page with textContent, so a message holding HTML stays text. It keeps
 * nothing: no cookies, no storage; a reload starts a new chat.
 */
export const CHAT_PAGE_SCRIPT = `'use strict';
(function () {
  var statusLine = document.getElementById('status');
  var notice = document.getElementById('notice');
  var startButton = document.getElementById('start');
  var messages = document.getElementById('messages');
  var composer = document.getElementById('composer');
  var textBox = document.getElementById('bericht');
  var sendButton = document.getElementById('send');
  var leaveButton = document.getElementById('leave');
  var socket = null;
  var finished = false;
  // Kept in the box until the box says it stored the message, so a refused message is not lost.
  var pendingText = null;

  var ENDED = {
    volunteer: 'De vrijwilliger heeft het gesprek beëindigd. Je kunt altijd een nieuwe chat starten.',
    idle: 'Het gesprek is gestopt omdat er een tijd niets gebeurde. Je kunt een nieuwe chat starten.',
    left: 'Je hebt het gesprek beëindigd.',
    shutdown: 'De chat is even niet bereikbaar. Probeer het later nog eens.'
  };

  function socketUrl() {
    var url = new URL('ws', window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = '';
    url.hash = '';
    return url.href;
  }

  function setComposing(enabled) {
    textBox.disabled = !enabled;
    sendButton.disabled = !enabled;
    leaveButton.disabled = !enabled;
  }

  function addMessage(author, text, at) {
    var item = document.createElement('li');
    item.className = author;
    var who = document.createElement('span');
    who.className = 'who';
    who.textContent = author === 'caller' ? 'Jij' : 'Vrijwilliger';
    var time = document.createElement('span');
    time.className = 'at';
    if (typeof at === 'number') time.textContent = new Date(at).toLocaleTimeString('nl-NL', { hour: '2-digit', minute: '2-digit' });
    var body = document.createElement('p');
    body.className = 'text';
    body.textContent = String(text);
    item.appendChild(who);
    item.appendChild(time);
    item.appendChild(body);
    messages.appendChild(item);
    messages.scrollTop = messages.scrollHeight;
  }

  function finish(text) {
    if (finished) return;
    finished = true;
    statusLine.textContent = text;
    setComposing(false);
    startButton.textContent = 'Start een nieuwe chat';
    startButton.hidden = false;
    startButton.focus();
    if (socket && socket.readyState === WebSocket.OPEN) socket.close(1000);
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  }

  function receive(event) {
    var frame;
    try {
      frame = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    if (!frame || typeof frame.type !== 'string') return;
    switch (frame.type) {
      case 'queued':
        statusLine.textContent = 'Je bent nummer ' + Number(frame.position) + ' in de rij. Er komt zo een vrijwilliger; je kunt alvast typen.';
        composer.hidden = false;
        setComposing(true);
        break;
      case 'connected':
        statusLine.textContent = 'Je chat nu met een vrijwilliger.';
        composer.hidden = false;
        setComposing(true);
        textBox.focus();
        break;
      case 'sent':
        notice.textContent = '';
        if (pendingText !== null && textBox.value === pendingText) textBox.value = '';
        pendingText = null;
        addMessage('caller', frame.text, frame.at);
        break;
      case 'message':
        addMessage('volunteer', frame.text, frame.at);
        break;
      case 'ended':
        finish(ENDED[frame.reason] || ENDED.left);
        break;
      case 'refused':
        finish(String(frame.text));
        break;
      case 'error':
        notice.textContent = String(frame.message);
        break;
      default:
        break;
    }
  }

  function start() {
    finished = false;
    notice.textContent = '';
    while (messages.firstChild) messages.removeChild(messages.firstChild);
    startButton.hidden = true;
    statusLine.textContent = 'Even geduld, je wordt verbonden…';
    socket = new WebSocket(socketUrl());
    socket.addEventListener('open', function () { send({ type: 'hello' }); textBox.focus(); });
    socket.addEventListener('message', receive);
    socket.addEventListener('close', function () { finish('De verbinding is verbroken. Je kunt een nieuwe chat starten.'); });
  }

  startButton.addEventListener('click', start);
  composer.addEventListener('submit', function (event) {
    event.preventDefault();
    var text = textBox.value;
    if (text.trim() === '') return;
    pendingText = text;
    send({ type: 'message', text: text });
  });
  textBox.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });
  leaveButton.addEventListener('click', function () { send({ type: 'leave' }); });
})();
`;
