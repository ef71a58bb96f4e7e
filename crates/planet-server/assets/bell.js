// The bell: the number of notifications not yet read changes while the page is open. Without
// this script the number is as it was when the page was loaded.
(function () {
  "use strict";
  var count = document.getElementById("bell-count");
  if (!count || !("WebSocket" in window)) return;
  var delay = 2000;

  function show(unread) {
    count.firstChild.nodeValue = String(unread);
    count.hidden = unread === 0;
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/notifications/live");
    socket.onopen = function () { delay = 2000; };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.kind === "bell" && typeof data.unread === "number") show(data.unread);
    };
    socket.onclose = function () {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 60000);
    };
  }
  connect();
})();
