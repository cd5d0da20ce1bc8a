// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]")) {
      target.form.requestSubmit();
    }
  });

  document.addEventListener("submit", function (event) {
    var button = event.submitter || event.target.querySelector("[data-confirm]");
    var question = button && button.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest(".nav-toggle");
    if (!toggle) return;
    var open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", String(!open));
    document.getElementById(toggle.getAttribute("aria-controls")).classList.toggle("open", !open);
  });
})();

// Inbox: saved replies, typing presence, keyboard shortcuts.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-fills]") || !select.value) return;
    var target = document.getElementById(select.getAttribute("data-fills"));
    if (target) {
      target.value = target.value ? target.value + "\n" + select.value : select.value;
      target.focus();
      target.dispatchEvent(new Event("input", { bubbles: true }));
    }
    select.value = "";
  });

  var typingTimer = null;
  function setTyping(value) {
    var form = document.getElementById("presence-form");
    if (!form) return;
    var input = form.querySelector("input[name=typing]");
    if (input.value === value) return;
    input.value = value;
    form.dispatchEvent(new Event("typing-changed"));
  }
  document.addEventListener("input", function (event) {
    if (!event.target.matches || !event.target.matches(".reply-box textarea")) return;
    setTyping("1");
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { setTyping("0"); }, 5000);
  });

  function inField(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable]");
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || inField(event.target)) return;
    var key = event.key;
    var rows = Array.prototype.slice.call(document.querySelectorAll(".conversation-row a"));
    if ((key === "j" || key === "k") && rows.length) {
      var index = rows.indexOf(document.activeElement);
      if (index < 0) index = rows.indexOf(document.querySelector(".conversation-row.current a"));
      index = key === "j" ? Math.min(index + 1, rows.length - 1) : Math.max(index - 1, 0);
      rows[index].focus();
      if (window.socialdeskPane) window.socialdeskPane(rows[index], false);
      event.preventDefault();
      return;
    }
    var target = document.querySelector("[data-shortcut='" + key + "']");
    if (!target) return;
    event.preventDefault();
    if (target.matches("textarea, input")) {
      target.focus();
      if (target.type === "search") target.select();  // "/": type a new search at once
    } else target.click();
  });
})();

// Inbox list: selection (shift-click ranges, "all matching"), bulk bar, undo toast,
// split view (list left, conversation right), compact density, the "?" help.
(function () {
  "use strict";
  var selected = new Set();
  var lastIndex = null;
  var allMatching = false;

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll("#inbox-rows input.pick"));
  }
  function update() {
    var form = document.getElementById("bulk-form");
    if (!form) return;
    var list = boxes();
    var present = new Set(list.map(function (b) { return b.value; }));
    selected.forEach(function (id) { if (!present.has(id)) selected.delete(id); });
    list.forEach(function (b) {
      b.checked = selected.has(b.value);
      b.closest("li").classList.toggle("picked", b.checked);
    });
    var allOnPage = list.length > 0 && list.every(function (b) { return b.checked; });
    if (!allOnPage) allMatching = false;
    var pagePick = document.querySelector("[data-pick-page]");
    if (pagePick) pagePick.checked = allOnPage;
    var matching = document.querySelector("[data-select-matching]");
    if (matching) {
      matching.hidden = !allOnPage;
      matching.querySelector("[data-matching-off]").hidden = allMatching;
      matching.querySelector("[data-matching-shown]").hidden = !allMatching;
    }
    form.querySelector("[data-all-matching-input]").value = allMatching ? "1" : "0";
    var count = form.querySelector("[data-bulk-count]");
    var total = matching ? matching.getAttribute("data-total") : "";
    if (allMatching) count.textContent = count.getAttribute("data-all").replace("{n}", total);
    else if (selected.size) count.textContent = count.getAttribute("data-some").replace("{n}", String(selected.size));
    else count.textContent = count.getAttribute("data-none");
    form.querySelector("[data-bulk-submit]").disabled = !selected.size;
    form.classList.toggle("active", selected.size > 0);
  }
  function showParams() {
    var action = document.querySelector("[data-bulk-action]");
    if (!action) return;
    document.querySelectorAll("[data-bulk-param]").forEach(function (span) {
      span.hidden = span.getAttribute("data-bulk-param").split(" ").indexOf(action.value) < 0;
    });
  }

  document.addEventListener("click", function (event) {
    var box = event.target;
    if (box.matches && box.matches("#inbox-rows input.pick")) {
      var list = boxes();
      var index = list.indexOf(box);
      if (event.shiftKey && lastIndex !== null && list[lastIndex]) {
        var from = Math.min(lastIndex, index);
        var to = Math.max(lastIndex, index);
        for (var i = from; i <= to; i++) {
          if (box.checked) selected.add(list[i].value); else selected.delete(list[i].value);
        }
      } else if (box.checked) selected.add(box.value);
      else selected.delete(box.value);
      lastIndex = index;
      update();
      return;
    }
    if (box.matches && box.matches("[data-pick-page]")) {
      boxes().forEach(function (b) { if (box.checked) selected.add(b.value); else selected.delete(b.value); });
      update();
      return;
    }
    var on = event.target.closest && event.target.closest("[data-matching-on]");
    if (on) { allMatching = true; update(); return; }
    var clear = event.target.closest && event.target.closest("[data-matching-clear]");
    if (clear) { allMatching = false; selected.clear(); update(); return; }
    var help = event.target.closest && event.target.closest("[data-help-open]");
    if (help) { openHelp(); return; }
    var density = event.target.closest && event.target.closest("[data-density-toggle]");
    if (density) { toggleDensity(); return; }
    var link = event.target.closest && event.target.closest("#inbox-rows .conversation-row a");
    if (link && splitOn() && !event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0) {
      event.preventDefault();
      openInPane(link, true);
    }
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-bulk-action]")) showParams();
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "bulk-status") {
      var toast = target.querySelector(".toast");
      var state = toast && toast.getAttribute("data-state");
      if (state === "done" || state === "undone" || state === "queued") {
        selected.clear();
        allMatching = false;
      }
      var undo = target.querySelector("[data-undo]");
      if (undo) {
        var seconds = parseInt(undo.getAttribute("data-undo-seconds"), 10) || 10;
        var label = undo.textContent;
        var left = seconds;
        undo.textContent = label + " (" + left + ")";
        var timer = setInterval(function () {
          left -= 1;
          if (!undo.isConnected) { clearInterval(timer); return; }
          if (left <= 0) { clearInterval(timer); undo.closest("form").remove(); return; }
          undo.textContent = label + " (" + left + ")";
        }, 1000);
      }
    }
    update();
  });

  // Split view: on wide screens the conversation opens on the right; the URL follows.
  var wide = window.matchMedia("(min-width: 1300px)");
  function splitOn() {
    return wide.matches && document.getElementById("pane") !== null;
  }
  function openInPane(link, push) {
    document.querySelectorAll(".conversation-row.current").forEach(function (row) {
      row.classList.remove("current");
    });
    link.closest("li").classList.add("current");
    window.htmx.ajax("GET", link.href, { target: "#pane", swap: "innerHTML" }).then(function () {
      if (push) window.history.pushState({ pane: true }, "", link.href);
      else window.history.replaceState({ pane: true }, "", link.href);
    });
  }
  window.socialdeskPane = function (link, push) {
    if (splitOn()) openInPane(link, push);
  };
  window.addEventListener("popstate", function (event) {
    if (event.state && event.state.pane || document.getElementById("pane")) window.location.reload();
  });

  // Density: compact rows, remembered in this browser.
  var KEY = "socialdesk.density";
  function applyDensity(compact) {
    document.documentElement.classList.toggle("density-compact", compact);
    document.querySelectorAll("[data-density-toggle]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(compact));
    });
  }
  function toggleDensity() {
    var compact = !document.documentElement.classList.contains("density-compact");
    try { window.localStorage.setItem(KEY, compact ? "compact" : "comfortable"); } catch (e) { /* private mode */ }
    applyDensity(compact);
  }
  function openHelp() {
    var dialog = document.getElementById("shortcut-help");
    if (dialog && !dialog.open) dialog.showModal();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var stored = null;
    try { stored = window.localStorage.getItem(KEY); } catch (e) { /* private mode */ }
    applyDensity(stored === "compact");
    showParams();
    update();
  });

  function inField(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable]");
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || inField(event.target)) return;
    if (!document.getElementById("inbox-rows")) return;
    if (event.key === "?") { openHelp(); event.preventDefault(); return; }
    if (event.key === "d") { toggleDensity(); event.preventDefault(); return; }
    if (event.key === "x") {
      var row = document.activeElement && document.activeElement.closest(".conversation-row")
        || document.querySelector(".conversation-row.current");
      var box = row && row.querySelector("input.pick");
      if (box) { box.click(); event.preventDefault(); }
    }
  });
})();
