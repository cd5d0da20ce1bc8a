// The calendar: drag a post to another day (month) or hour (week). Dropping fills the post's
// own "Move" form and sends it, so the server checks it exactly as when the form is used by
// hand (the keyboard way: focus a post, open "Move", give the date and time).
(function () {
  "use strict";
  var dragged = null;

  function dropTarget(element) {
    return element && element.closest ? element.closest("[data-date]") : null;
  }

  document.addEventListener("dragstart", function (event) {
    var post = event.target.closest && event.target.closest(".cal-post[draggable=true]");
    if (!post) return;
    dragged = post;
    post.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", post.getAttribute("data-post"));
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    document.querySelectorAll(".drop-here").forEach(function (cell) {
      cell.classList.remove("drop-here");
    });
  });

  document.addEventListener("dragover", function (event) {
    var cell = dropTarget(event.target);
    if (!dragged || !cell) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".drop-here").forEach(function (other) {
      if (other !== cell) other.classList.remove("drop-here");
    });
    cell.classList.add("drop-here");
  });

  document.addEventListener("drop", function (event) {
    var cell = dropTarget(event.target);
    if (!dragged || !cell) return;
    event.preventDefault();
    var id = dragged.getAttribute("data-post");
    var form = document.getElementById("move-" + id);
    if (!form) return;
    var time = dragged.getAttribute("data-time") || "09:00";
    var hour = cell.getAttribute("data-hour");
    if (hour) time = hour.slice(0, 2) + time.slice(2);  // the week view: that hour, same minutes
    form.querySelector("input[name=date]").value = cell.getAttribute("data-date");
    form.querySelector("input[name=time]").value = time;
    form.requestSubmit();
  });
})();
