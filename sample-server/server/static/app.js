"use strict";
// Connects to /ws on the page's own host, over wss: when the page came over
// https:, and reconnects with backoff when the socket closes.
(function () {
  const statusEl = document.getElementById("status");
  const logEl = document.getElementById("log");
  const form = document.getElementById("send-form");
  const input = document.getElementById("message");
  const maxLines = 200;
  let socket = null;
  let attempt = 0;

  function setStatus(state, text) {
    statusEl.dataset.state = state;
    statusEl.textContent = text || state;
  }

  function addLine(kind, text) {
    const li = document.createElement("li");
    li.className = kind;
    li.textContent = text;
    logEl.appendChild(li);
    while (logEl.children.length > maxLines) {
      logEl.removeChild(logEl.firstChild);
    }
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    setStatus("connecting");
    socket = new WebSocket(scheme + "//" + location.host + "/ws");
    socket.addEventListener("open", function () {
      attempt = 0;
      setStatus("open");
    });
    socket.addEventListener("message", function (ev) {
      addLine("in", typeof ev.data === "string" ? ev.data : "[binary message]");
    });
    socket.addEventListener("close", function (ev) {
      setStatus("closed", "closed (" + ev.code + ")");
      const delay = Math.min(10000, 500 * Math.pow(2, attempt++));
      setTimeout(connect, delay);
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    const text = input.value;
    if (!text || !socket || socket.readyState !== WebSocket.OPEN) {
      return;
    }
    socket.send(text);
    addLine("out", text);
    input.value = "";
  });

  connect();
})();
