// Project rooms: warn before leaving a page with unsent text; suggest people after "@".
(function () {
  "use strict";
  var dirty = new Set();
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (box.matches && box.matches("form[data-room-form] textarea")) {
      if (box.value.trim()) { dirty.add(box); } else { dirty.delete(box); }
    }
  });
  document.addEventListener("submit", function (event) {
    if (event.target.matches("form[data-room-form]")) { dirty.clear(); }
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty.size) { event.preventDefault(); event.returnValue = ""; }
  });

  // "@An" in a room's text box: a list of people from the room's mention_suggest page,
  // asked once the typing pauses (PAUSE ms; not once per keystroke). Only the answer to the
  // latest question is shown, and an unchanged list stays in place (a list replaced under
  // the pointer would swallow the click).
  var PAUSE = 150;
  var list = null, shown = "", asked = 0, at = null, waiting = null;
  function close() { if (list) { list.remove(); list = null; shown = ""; } }
  document.addEventListener("keyup", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("textarea[data-mentions]")) { return; }
    clearTimeout(waiting);
    var before = box.value.slice(0, box.selectionStart);
    var match = /(^|\s)@([\wÄÖÜäöüß.-]{1,30})$/.exec(before);
    var ticket = ++asked;
    if (!match) { close(); return; }
    waiting = setTimeout(function () { suggest(box, before, match, ticket); }, PAUSE);
  });
  function suggest(box, before, match, ticket) {
    var url = box.dataset.mentions + "?q=" + encodeURIComponent(match[2]);
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (ticket !== asked) { return; }  // a later keystroke asked again
        at = { box: box, start: before.length - match[2].length - 1 };
        if (list && html === shown) { return; }
        close();
        var holder = document.createElement("div");
        holder.innerHTML = html;  // our own escaped template
        list = holder.firstElementChild;
        if (!list) { return; }
        shown = html;
        box.insertAdjacentElement("afterend", list);
        list.addEventListener("click", function (click) {
          var option = click.target.closest("[data-mention]");
          if (!option || !at) { return; }
          var target = at.box;
          target.value = target.value.slice(0, at.start) + option.dataset.mention + " " +
            target.value.slice(target.selectionStart);
          target.focus();
          close();
        });
      })
      .catch(function () { if (ticket === asked) { close(); } });
  }
})();
