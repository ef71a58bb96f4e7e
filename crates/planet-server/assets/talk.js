// Live talk: while a topic is open, new messages, changes and who is here arrive over a
// WebSocket. Without this script the page works the same with ordinary reloads.
(function () {
  "use strict";
  var list = document.getElementById("messages");
  if (!list || !("WebSocket" in window)) return;
  var topic = list.getAttribute("data-live-topic");
  var canReact = list.getAttribute("data-can-react") === "true";
  var meta = document.querySelector('meta[name="planet-member"]');
  var me = meta ? meta.getAttribute("content") : "";
  var blockedMeta = document.querySelector('meta[name="planet-blocked"]');
  var blocked = blockedMeta ? blockedMeta.getAttribute("content").split(" ") : [];
  var hereNow = document.getElementById("here-now");
  var news = document.getElementById("live-news");
  var delay = 1000;

  // A message sent live is the same for everyone: show the author's own buttons to the
  // author, and "Report" to everyone else.
  function fit(item) {
    var own = item.getAttribute("data-author") === me;
    item.querySelectorAll(".for-author").forEach(function (el) { el.hidden = !own; });
    item.querySelectorAll(".for-others").forEach(function (el) { if (own) el.remove(); });
    if (!canReact) item.querySelectorAll(".react-menu, form.reactions").forEach(function (el) { el.remove(); });
    // Someone this member blocked: folded away, as the page itself does.
    var body = item.querySelector(".message-body");
    if (body && blocked.indexOf(item.getAttribute("data-author")) !== -1) {
      var fold = document.createElement("details");
      fold.className = "blocked-message";
      var summary = document.createElement("summary");
      summary.textContent = "A message from someone you have blocked";
      fold.appendChild(summary);
      body.replaceWith(fold);
      fold.appendChild(body);
    }
  }

  function parse(html) {
    var holder = document.createElement("ol");
    holder.innerHTML = html.trim();
    return holder.firstElementChild;
  }

  // Keep which reactions this member gave: the live copy does not know.
  function keepPressed(from, to) {
    var pressed = {};
    from.querySelectorAll('button.reaction[aria-pressed="true"]').forEach(function (b) { pressed[b.value] = true; });
    to.querySelectorAll("button.reaction").forEach(function (b) {
      if (pressed[b.value]) b.setAttribute("aria-pressed", "true");
    });
  }

  // Messages that arrive while the page is in view are read: say so (the topic's unread count
  // and the bell follow), once things have been quiet for a moment.
  var readTimer = null, readUpTo = 0;
  function markRead(number) {
    readUpTo = Math.max(readUpTo, number);
    if (!window.fetch || document.visibilityState !== "visible") return;
    clearTimeout(readTimer);
    readTimer = setTimeout(function () {
      fetch("/api/v1/topics/" + topic + "/read", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ number: readUpTo })
      }).catch(function () {});
    }, 1500);
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && readUpTo > 0) markRead(readUpTo);
  });

  function received(event) {
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    if (data.kind === "presence") {
      var others = data.names;
      hereNow.hidden = others.length === 0;
      hereNow.textContent = others.length ? "Here now: " + others.join(", ") : "";
    } else if (data.kind === "posted") {
      if (document.getElementById("m" + data.number)) return;
      var item = parse(data.html);
      if (!item) return;
      fit(item);
      // In order: a message approved late goes in its place, not at the end.
      var after = null;
      list.querySelectorAll("li.message").forEach(function (el) {
        if (!after && Number(el.getAttribute("data-number")) > data.number) after = el;
      });
      list.insertBefore(item, after);
      var empty = document.querySelector(".messages + .notice");
      if (empty) empty.remove();
      var author = item.querySelector(".message-author");
      if (author && item.getAttribute("data-author") !== me && blocked.indexOf(item.getAttribute("data-author")) === -1) {
        news.textContent = "New message from " + author.textContent;
        markRead(data.number);
      }
    } else if (data.kind === "changed") {
      var old = document.getElementById("m" + data.number);
      if (!old) return;
      var fresh = parse(data.html);
      if (!fresh) return;
      fit(fresh);
      keepPressed(old, fresh);
      if (old.querySelector(".new-line") && !fresh.querySelector(".new-line")) fresh.insertBefore(old.querySelector(".new-line"), fresh.firstChild);
      // A message waiting for approval, or the text a moderator sees, is not in the live copy.
      if (old.classList.contains("message--pending") || old.querySelector(".message-body--hidden")) return;
      old.replaceWith(fresh);
    } else if (data.kind === "withdrawn") {
      var gone = document.getElementById("m" + data.number);
      if (gone && gone.getAttribute("data-author") !== me) gone.remove();
    } else if (data.kind === "reload") {
      window.location.reload();
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/topics/" + topic + "/live");
    socket.onopen = function () { delay = 1000; };
    socket.onmessage = received;
    socket.onclose = function () {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();

  // Sending without leaving the page: the message comes back over the socket. Anything else
  // (a mistake in the form, a message that waits for approval) shows the page the server sent.
  var form = document.getElementById("reply-form");
  if (form && window.fetch && window.FormData) {
    form.addEventListener("submit", function (event) {
      var body = form.querySelector("textarea");
      if (!body || !body.value.trim()) return;
      // A picture goes the ordinary way: the page reloads with it.
      var picture = form.querySelector('input[type="file"]');
      if (picture && picture.files && picture.files.length) return;
      event.preventDefault();
      var button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (response) {
          if (response.ok && response.url.indexOf("done=posted") !== -1) {
            body.value = "";
            var reply = form.querySelector('input[name="reply_to"]');
            if (reply) reply.remove();
            button.disabled = false;
            body.focus();
          } else if (response.ok) {
            window.location.href = response.url;
          } else {
            return response.text().then(function (html) {
              document.open();
              document.write(html);
              document.close();
            });
          }
        })
        .catch(function () { button.disabled = false; news.textContent = "Your message could not be sent. Please try again."; });
    });
  }
})();
