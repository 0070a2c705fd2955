// Filters for the audit report. Everything is visible without this script;
// it only reveals the filter form and hides what does not match.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) return;
  var findings = Array.prototype.slice.call(document.querySelectorAll(".finding"));
  var files = Array.prototype.slice.call(document.querySelectorAll(".file"));
  var counter = document.getElementById("filter-status");
  // The status filter exists only when a baseline was used.
  var keys = ["rule", "severity", "file", "status"].filter(function (key) { return form.elements[key]; });

  function matches(finding) {
    return keys.every(function (key) {
      var wanted = form.elements[key].value;
      return !wanted || finding.dataset[key] === wanted;
    });
  }

  function apply() {
    var shown = 0;
    findings.forEach(function (finding) {
      finding.hidden = !matches(finding);
      if (!finding.hidden) shown += 1;
    });
    files.forEach(function (file) {
      file.hidden = !file.querySelector(".finding:not([hidden])");
    });
    counter.textContent = "Showing " + shown + " of " + findings.length + " findings";
  }

  form.addEventListener("change", apply);
  // A reset changes the values after the event: read them once it is done.
  form.addEventListener("reset", function () { setTimeout(apply, 0); });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
})();
