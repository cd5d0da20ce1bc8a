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
      index = key === "j" ? Math.min(index + 1, rows.length - 1) : Math.max(index - 1, 0);
      rows[index].focus();
      event.preventDefault();
      return;
    }
    var target = document.querySelector("[data-shortcut='" + key + "']");
    if (!target) return;
    event.preventDefault();
    if (target.matches("textarea, input")) target.focus();
    else target.click();
  });
})();
