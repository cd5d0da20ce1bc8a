// The composer: a live counter per channel and part with the server's own rules
// (publishing/rules.py sends its patterns and each channel's limits as #compose-rules),
// thread parts added and removed, and a variant per channel that follows the main text until
// it is edited. The form works without this script; the server checks everything again.
(function () {
  "use strict";
  var form = document.querySelector("form[data-compose]");
  var source = document.getElementById("compose-rules");
  if (!form || !source) return;
  var rules = JSON.parse(source.textContent);
  var words = document.getElementById("compose-words").dataset;
  var urlPattern = new RegExp(rules.url, "gu");
  var mentionPattern = new RegExp(rules.mention, "gu");
  var segmenter = window.Intl && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;
  var lang = document.documentElement.lang || undefined;
  var main = form.querySelector('[data-parts="main"]');
  var warning = form.querySelector('[name="content_warning"]');

  function graphemes(text) {
    if (!segmenter) return Array.from(text).length;
    var n = 0;
    for (var _ of segmenter.segment(text)) n++; // eslint-disable-line no-unused-vars
    return n;
  }

  // As the network counts a part (rules.mastodon / rules.bluesky on the server).
  function count(channel, text) {
    if (channel.network === "mastodon") {
      var countable = text
        .replace(urlPattern, "x".repeat(channel.characters_reserved_per_url))
        .replace(mentionPattern, function (_m, user) { return "@" + user; });
      return graphemes((warning ? warning.value : "") + countable);
    }
    return graphemes(text);
  }

  function chosen() {
    return Array.from(form.querySelectorAll("[data-channel-choice]"))
      .filter(function (box) { return box.checked; })
      .map(function (box) { return box.value; });
  }

  function variant(pk) { return form.querySelector('[data-variant="' + pk + '"]'); }
  function customised(pk) {
    var box = variant(pk) && variant(pk).querySelector("[data-customise]");
    return Boolean(box && box.checked);
  }
  function parts(container) { return Array.from(container.querySelectorAll("textarea[data-part]")); }

  function show(counter, channels, text) {
    counter.textContent = "";
    channels.forEach(function (pk, i) {
      var channel = rules.channels[pk];
      if (!channel) return;
      var n = count(channel, text);
      var span = document.createElement("span");
      span.dataset.countChannel = pk;
      span.className = n > channel.max_characters ? "count over" : "count";
      span.textContent = channel.label + ": " + n.toLocaleString(lang) + "/" +
        channel.max_characters.toLocaleString(lang) + " " + words.characters;
      if (i) counter.appendChild(document.createTextNode(" · "));
      counter.appendChild(span);
    });
  }

  function renumber(container) {
    parts(container).forEach(function (area, i) {
      var label = area.parentNode.querySelector("label");
      if (label) label.textContent = words.partLabel + " " + (i + 1);
    });
  }

  function addPart(container, text) {
    var row = document.getElementById("part-template").content.firstElementChild.cloneNode(true);
    var area = row.querySelector("textarea");
    var key = container.dataset.parts;
    area.name = key === "main" ? "thread" : "variant_" + key;
    area.id = "part-" + key + "-" + Date.now() + "-" + parts(container).length;
    row.querySelector("label").htmlFor = area.id;
    area.value = text || "";
    container.appendChild(row);
    return area;
  }

  // A channel without its own text shows the main text, part by part.
  function follow(pk) {
    var box = variant(pk);
    if (!box || customised(pk)) return;
    var container = box.querySelector(".parts");
    var texts = parts(main).map(function (area) { return area.value; });
    var areas = parts(container);
    while (areas.length > texts.length) areas.pop().parentNode.remove();
    texts.forEach(function (text, i) {
      if (i < areas.length) areas[i].value = text;
      else addPart(container, text);
    });
    renumber(container);
  }

  function update() {
    var channels = chosen();
    Object.keys(rules.channels).forEach(function (pk) {
      var box = variant(pk);
      if (box) box.hidden = channels.indexOf(pk) < 0;
      follow(pk);
    });
    var following = channels.filter(function (pk) { return !customised(pk); });
    parts(main).forEach(function (area) {
      show(area.parentNode.querySelector("[data-counter]"), following, area.value);
    });
    channels.forEach(function (pk) {
      var box = variant(pk);
      if (!box) return;
      parts(box).forEach(function (area) {
        show(area.parentNode.querySelector("[data-counter]"), [pk], area.value);
      });
    });
  }

  form.addEventListener("input", function (event) {
    var area = event.target;
    var box = area.closest && area.closest("[data-variant]");
    if (box && area.matches("textarea[data-part]")) box.querySelector("[data-customise]").checked = true;
    update();
  });
  form.addEventListener("change", update);
  form.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button");
    if (!button) return;
    if (button.matches("[data-add-part]")) {
      addPart(main).focus();
    } else if (button.matches("[data-remove-part]")) {
      var container = button.closest(".parts");
      button.closest(".part-row").remove();
      renumber(container);
    } else if (button.matches("[data-follow-main]")) {
      button.closest("[data-variant]").querySelector("[data-customise]").checked = false;
    } else {
      return;
    }
    update();
  });
  update();
})();
