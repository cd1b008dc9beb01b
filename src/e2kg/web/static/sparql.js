// The query page without a framework: Ctrl+Enter runs the query, example links fill the editor.
// Everything here is optional: without JavaScript the form and the links work as plain HTML.
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var editor = document.getElementById("query");
  var status = document.getElementById("status");
  if (!form || !editor) { return; }

  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
    if (event.key === "Tab" && !event.shiftKey) {
      event.preventDefault();
      var start = editor.selectionStart;
      editor.setRangeText("  ", start, editor.selectionEnd, "end");
    }
  });

  form.addEventListener("submit", function () {
    if (status) { status.textContent = "running…"; }
  });

  var links = document.querySelectorAll("#examples a[data-query]");
  Array.prototype.forEach.call(links, function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      editor.value = link.getAttribute("data-query");
      editor.focus();
      window.scrollTo(0, 0);
    });
  });
}());
